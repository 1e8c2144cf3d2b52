package paligemma4j.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** Entry point of {@code scripts/paligemma}: dispatches to one {@link Command}. */
public final class Main {

    static List<Command> commands() {
        List<Command> all = new ArrayList<>();
        all.add(new InspectCommand());
        all.add(new ConvertCommand());
        all.add(new GenerateCommand());
        all.add(new RenderCommand());
        all.add(new ServeCommand());
        all.add(new ParityCommand());
        all.add(new EvalCommand());
        all.add(new BenchCommand());
        all.add(new AccuracyCommand());
        all.add(new DevicesCommand());
        return all;
    }

    public static void main(String[] argv) {
        System.exit(run(argv, System.out, System.err));
    }

    static int run(String[] argv, PrintStream out, PrintStream err) {
        List<Command> commands = commands();
        if (argv.length == 0 || argv[0].equals("--help") || argv[0].equals("-h") || argv[0].equals("help")) {
            err.println("usage: paligemma COMMAND [options]   (paligemma COMMAND --help for details)\n\ncommands:");
            for (Command c : commands) err.printf("  %-10s %s%n", c.name(), c.summary());
            return argv.length == 0 ? 2 : 0;
        }
        Command cmd = commands.stream().filter(c -> c.name().equals(argv[0])).findFirst().orElse(null);
        if (cmd == null) {
            err.println("paligemma: unknown command '" + argv[0] + "' (see paligemma --help)");
            return 2;
        }
        String[] rest = java.util.Arrays.copyOfRange(argv, 1, argv.length);
        for (String a : rest) {
            if (a.equals("--help") || a.equals("-h")) {
                out.print(cmd.spec().help(cmd.name()));
                return 0;
            }
        }
        try {
            return cmd.run(Args.parse(cmd.name(), cmd.spec(), rest), out, err);
        } catch (UsageException e) {
            err.println("paligemma " + cmd.name() + ": " + e.getMessage());
            return 2;
        } catch (Exception | OutOfMemoryError | StackOverflowError e) {
            // Domain errors carry a one-line message naming file, key, expected vs actual.
            String msg = e.getMessage() == null ? e.toString() : e.getMessage();
            err.println("paligemma " + cmd.name() + ": " + msg);
            if (System.getenv("PALIGEMMA_DEBUG") != null) e.printStackTrace(err);
            return 1;
        }
    }
}
