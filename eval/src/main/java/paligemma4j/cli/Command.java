package paligemma4j.cli;

import java.io.PrintStream;

/** One launcher subcommand ({@code scripts/paligemma NAME ...}). */
public interface Command {

    String name();

    /** One line for the command list. */
    String summary();

    /** The options this command accepts; used for parsing and for {@code --help}. */
    Args.Spec spec();

    /**
     * Runs the command. Results go to {@code out} ({@code --json}: exactly one object), logs and
     * progress to {@code err}. Returns the exit code. Throws {@link UsageException} or any
     * domain exception with a one-line message for bad input.
     */
    int run(Args args, PrintStream out, PrintStream err) throws Exception;
}
