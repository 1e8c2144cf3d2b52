package paligemma4j.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import paligemma4j.checkpoint.WeightCheck;

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
        StderrFd.restore();
        // UTF-8 whatever the locale (under LANG=C the JVM would print non-ASCII text as '?')
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        System.setOut(out);
        System.setErr(err);
        int code;
        try {
            code = run(RawArgs.decode(argv), out, err);
        } catch (UsageException e) {
            err.println("paligemma: " + e.getMessage());
            code = 2;
        }
        out.flush();
        err.flush();
        System.exit(code);
    }

    static int run(String[] argv, PrintStream out, PrintStream err) {
        List<Command> commands = commands();
        boolean debug = System.getenv("PALIGEMMA_DEBUG") != null && !System.getenv("PALIGEMMA_DEBUG").isEmpty()
                && !System.getenv("PALIGEMMA_DEBUG").equals("0");
        int first = 0;
        if (argv.length > 0 && argv[0].equals("--debug")) {
            debug = true;
            first = 1;
        }
        String name = argv.length > first ? argv[first] : null;
        if (name == null || name.equals("--help") || name.equals("-h") || name.equals("help")) {
            // help asked for goes to stdout (exit 0); a missing command is an error (stderr, exit 2)
            PrintStream to = name == null ? err : out;
            to.println("usage: paligemma [--debug] COMMAND [options]   (paligemma COMMAND --help for details)\n\ncommands:");
            for (Command c : commands) to.printf("  %-10s %s%n", c.name(), c.summary());
            to.println("\n--debug (or PALIGEMMA_DEBUG=1) prints the stack trace of an error, for bug reports.");
            to.flush();
            return name == null ? 2 : 0;
        }
        Command cmd = commands.stream().filter(c -> c.name().equals(name)).findFirst().orElse(null);
        if (cmd == null) {
            err.println("paligemma: unknown command '" + name + "' (see paligemma --help)");
            return 2;
        }
        return run(cmd, java.util.Arrays.copyOfRange(argv, first + 1, argv.length), debug, out, err);
    }

    /** Runs {@code cmd} on its arguments {@code rest}: help, parsing, --check-weights, one-line errors. */
    static int run(Command cmd, String[] rest, boolean debug, PrintStream out, PrintStream err) {
        Args.Spec spec = cmd.spec();
        if (Args.switchGiven(spec, rest, "--debug")) debug = true;
        if (Args.switchGiven(spec, rest, "--help") || Args.switchGiven(spec, rest, "-h")) {
            out.print(spec.help(cmd.name()));
            return 0;
        }
        try {
            Args args = Args.parse(cmd.name(), spec, rest);
            if (args.flag("check-weights") && args.has("checkpoint")) {
                int n = WeightCheck.requireFinite(args.existingFile("checkpoint"));
                err.println("paligemma " + cmd.name() + ": --check-weights: all " + n + " tensors are finite");
            }
            return cmd.run(args, out, err);
        } catch (UsageException e) {
            err.println("paligemma " + cmd.name() + ": " + e.getMessage());
            if (debug) e.printStackTrace(err);
            return 2;
        } catch (Throwable e) {
            // Domain errors carry a one-line message naming file, key, expected vs actual; these are bugs.
            boolean bug = e instanceof NullPointerException || e instanceof IndexOutOfBoundsException
                    || e instanceof ClassCastException || e instanceof ArithmeticException
                    || !(e instanceof RuntimeException || e instanceof java.io.IOException
                         || e instanceof OutOfMemoryError || e instanceof StackOverflowError);
            String msg = e.getMessage() == null ? e.toString() : e.getMessage();
            err.println("paligemma " + cmd.name() + ": " + (bug ? "internal error: " + e
                    + (debug ? "" : " (run with --debug for the stack trace)") : msg));
            if (debug) e.printStackTrace(err);
            return 1;
        } finally {
            out.flush();
        }
    }
}
