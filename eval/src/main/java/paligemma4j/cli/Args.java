package paligemma4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Parsed command-line arguments: {@code --name value} options, {@code --flag} switches, positionals. */
public final class Args {

    /** One option: {@code valueName == null} marks a switch; {@code many} takes every value up to the next option. */
    public record Option(String name, String valueName, String help, String defaultValue, boolean many) {}

    /** The options and positional arguments a command accepts, in help order. */
    public static final class Spec {
        final String usage;
        final List<Option> options = new ArrayList<>();
        final List<String[]> positionals = new ArrayList<>();

        public Spec(String usage) {
            this.usage = usage;
        }

        /** An option with a value, e.g. {@code option("checkpoint", "C", "checkpoint file", null)}. */
        public Spec option(String name, String valueName, String help, String defaultValue) {
            options.add(new Option(name, valueName, help, defaultValue, false));
            return this;
        }

        /** An option with one or more values, {@code --name A B C} (until the next {@code --option}), or repeated. */
        public Spec manyOption(String name, String valueName, String help) {
            options.add(new Option(name, valueName, help, null, true));
            return this;
        }

        public Spec flag(String name, String help) {
            options.add(new Option(name, null, help, null, false));
            return this;
        }

        public Spec positional(String name, String help) {
            positionals.add(new String[] {name, help});
            return this;
        }

        Option find(String name) {
            for (Option o : options) if (o.name.equals(name)) return o;
            return null;
        }

        public String help(String command) {
            StringBuilder sb = new StringBuilder("usage: paligemma " + command + " " + usage + "\n");
            if (!positionals.isEmpty()) {
                sb.append("\narguments:\n");
                for (String[] p : positionals) sb.append(String.format("  %-28s %s%n", p[0], p[1]));
            }
            sb.append("\noptions:\n");
            for (Option o : options) {
                String left = "--" + o.name + (o.valueName == null ? "" : " " + o.valueName) + (o.many ? " ..." : "");
                String right = o.help + (o.defaultValue == null ? "" : " (default: " + o.defaultValue + ")");
                sb.append(String.format("  %-28s %s%n", left, right));
            }
            sb.append(String.format("  %-28s %s%n", "--debug", "on an error, print its stack trace too (or PALIGEMMA_DEBUG=1)"));
            sb.append(String.format("  %-28s %s%n", "--help", "print this help"));
            return sb.toString();
        }
    }

    private final String command;
    private final Map<String, String> values = new LinkedHashMap<>();
    private final Map<String, List<String>> many = new LinkedHashMap<>();
    private final List<String> positionals = new ArrayList<>();
    private final Spec spec;

    private Args(String command, Spec spec) {
        this.command = command;
        this.spec = spec;
    }

    /** Parses {@code argv} against {@code spec}; unknown options and missing values are {@link UsageException}s. */
    public static Args parse(String command, Spec spec, String[] argv) {
        Args a = new Args(command, spec);
        for (int i = 0; i < argv.length; i++) {
            String s = argv[i];
            if (s.equals("--debug")) continue;   // Main's switch, valid for every command
            if (s.startsWith("--") && s.length() > 2) {
                String name = s.substring(2);
                String inline = null;
                int eq = name.indexOf('=');
                if (eq >= 0) {
                    inline = name.substring(eq + 1);
                    name = name.substring(0, eq);
                }
                Option o = spec.find(name);
                if (o == null) throw new UsageException("unknown option --" + name + " (see --help)");
                if (o.valueName == null) {
                    if (inline != null) throw new UsageException("--" + name + " takes no value");
                    a.values.put(name, "true");
                } else if (o.many) {
                    List<String> vs = a.many.computeIfAbsent(name, k -> new ArrayList<>());
                    if (inline != null) vs.add(inline);
                    while (i + 1 < argv.length && !argv[i + 1].startsWith("--")) vs.add(argv[++i]);
                    if (vs.isEmpty()) throw new UsageException("--" + name + " needs a value " + o.valueName);
                    a.values.put(name, vs.get(0));
                } else {
                    String v = inline;
                    if (v == null) {
                        if (i + 1 >= argv.length) throw new UsageException("--" + name + " needs a value " + o.valueName);
                        v = argv[++i];
                    }
                    a.values.put(name, v);
                }
            } else {
                a.positionals.add(s);
            }
        }
        if (a.positionals.size() > spec.positionals.size()) {
            throw new UsageException("unexpected argument '" + a.positionals.get(spec.positionals.size()) + "' (see --help)");
        }
        return a;
    }

    /** Every value of a {@link Spec#manyOption} option, in order (empty if not given). */
    public List<String> all(String name) {
        return List.copyOf(many.getOrDefault(name, List.of()));
    }

    /** The options given on the command line (not defaults), name to value, in command-line order. */
    public Map<String, String> given() {
        return java.util.Collections.unmodifiableMap(values);
    }

    /**
     * Whether the switch {@code sw} ({@code --help}, {@code -h}, {@code --debug}) is given as an argument of its
     * own, not as the value of an option that takes one ({@code --prompt -h} is a prompt).
     */
    static boolean switchGiven(Spec spec, String[] argv, String sw) {
        for (int i = 0; i < argv.length; i++) {
            String s = argv[i];
            if (s.equals(sw)) return true;
            if (s.startsWith("--") && s.indexOf('=') < 0) {
                Option o = spec.find(s.substring(2));
                if (o != null && o.valueName != null) i++;   // the next argument is this option's value
            }
        }
        return false;
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    public boolean flag(String name) {
        return values.containsKey(name);
    }

    /** The option's value, its default, or null. */
    public String get(String name) {
        String v = values.get(name);
        if (v != null) return v;
        Option o = spec.find(name);
        return o == null ? null : o.defaultValue;
    }

    public String require(String name) {
        String v = get(name);
        if (v == null) throw new UsageException("missing --" + name + " (see --help)");
        return v;
    }

    public int getInt(String name) {
        String v = require(name);
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " expects an integer, got '" + v + "'");
        }
    }

    /** An integer option that must be at least 1. */
    public int positiveInt(String name) {
        int v = getInt(name);
        if (v < 1) throw new UsageException("--" + name + " must be ≥ 1, got " + v);
        return v;
    }

    /** A value that must be one of {@code allowed}. */
    public String choice(String name, String... allowed) {
        String v = require(name);
        for (String a : allowed) if (a.equals(v)) return v;
        throw new UsageException("--" + name + " must be one of " + String.join("|", allowed) + ", got '" + v + "'");
    }

    /** An existing, readable file given by option {@code name}. */
    public Path existingFile(String name) {
        return existing("--" + name, require(name));
    }

    public String positional(int i) {
        if (i >= positionals.size()) {
            throw new UsageException("missing argument " + spec.positionals.get(i)[0] + " (see --help)");
        }
        return positionals.get(i);
    }

    public Path existingPositional(int i) {
        return existing(spec.positionals.get(i)[0], positional(i));
    }

    private static Path existing(String what, String value) {
        Path p = Path.of(value);
        if (!Files.exists(p)) throw new UsageException(what + ": no such file: " + p);
        if (!Files.isReadable(p)) throw new UsageException(what + ": cannot read " + p);
        return p;
    }

    public String command() {
        return command;
    }
}
