package paligemma4j.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import paligemma4j.model.KVCache;
import paligemma4j.checkpoint.paligemma.GemmaSettings;
import paligemma4j.model.MemoryGuard;
import paligemma4j.model.SystemMemory;
import paligemma4j.model.WeightConverter;
import paligemma4j.model.PaliGemma;
import paligemma4j.model.image.Resize;
import paligemma4j.model.tokenizer.Tokenizer;
import paligemma4j.serve.Server;
import paligemma4j.serve.ServerConfig;

/** {@code paligemma serve}: an OpenAI-compatible HTTP server and web page for one loaded model (docs/server.md). */
final class ServeCommand implements Command {

    /** Tokenizer files looked for beside the checkpoint when {@code --tokenizer} is not given. */
    static final List<String> TOKENIZER_NAMES = List.of("paligemma_tokenizer.model", "tokenizer.model", "tokenizer.json");

    public String name() {
        return "serve";
    }

    public String summary() {
        return "HTTP server: OpenAI chat completions, /v1/paligemma/generate, a web page at /";
    }

    public Args.Spec spec() {
        Args.Spec spec = new Args.Spec("--checkpoint C [--tokenizer T] [--port 8080] [--host 127.0.0.1] [options]")
                .option("checkpoint", "C", "big_vision .npz (f32/bf16/f16), Flax msgpack, Hugging Face directory or .safetensors", null)
                .option("tokenizer", "T", "SentencePiece .model or tokenizer.json (default: "
                        + String.join(", ", TOKENIZER_NAMES) + " in or beside the checkpoint)", null)
                .option("port", "N", "TCP port (0 = any free port, printed at start)", "8080")
                .option("host", "H", "address to listen on (0.0.0.0 = every interface)", "127.0.0.1")
                .option("queue", "N", "requests that may wait; one more is answered 503 with Retry-After", "32")
                .option("batch", "N", "sequences decoded together, a token of each in turn", "4")
                .option("max-tokens", "N", "max_tokens when a request gives none", "32")
                .option("max-text-len", "N", "longest prompt + answer in tokens", "512")
                .option("model-name", "ID", "model id in /v1/models and responses (default: checkpoint file name)", null)
                .option("kv-cache", "bf16|f32", "KV cache precision", "bf16")
                .option("resize", "bilinear|bilinear-antialias", "TF bilinear resize without/with antialias", "bilinear")
                .option("threads", "T", "CPU threads", String.valueOf(Runtime.getRuntime().availableProcessors()));
        spec.option("vae", "FILE", "VQ-VAE mask decoder (vae-oid.npz) for segment answers", null)
                .option("box-convention", "big_vision|demo", "loc bins to pixels (docs/outputs.md)", "big_vision");
        return spec;
    }

    public int run(Args args, PrintStream out, PrintStream err) throws Exception {
        Path ckpt = args.existingFile("checkpoint");
        Path tok = args.has("tokenizer") ? args.existingFile("tokenizer") : besideCheckpoint(ckpt);
        int port = args.getInt("port");
        if (port < 0 || port > 65535) throw new UsageException("--port must be in 0…65535, got " + port);
        int queue = args.positiveInt("queue");
        int batch = args.positiveInt("batch");
        int maxTokens = args.positiveInt("max-tokens");
        int maxTextLen = args.positiveInt("max-text-len");
        int threads = args.positiveInt("threads");
        KVCache.Precision kv = KVCache.Precision.parse(args.choice("kv-cache", "bf16", "f32"));
        Resize resize = Resize.parse(args.choice("resize", "bilinear", "bilinear-antialias"));
        OutputOptions outputs = OutputOptions.parse(args);
        String id = args.has("model-name") ? args.get("model-name") : modelId(ckpt);

        Tokenizer tokenizer = Tokenizer.load(tok);
        PaliGemma model = PaliGemma.load(ckpt, Backends.open("jvm", threads, -1), WeightConverter.STORED,
                GemmaSettings.Overrides.NONE, MemoryGuard.of(null, maxTextLen, batch, false, SystemMemory::available));
        TokenizerCheck.requireMatch(tokenizer, model.config().llm().vocab(), ckpt);
        ServerConfig config = new ServerConfig(id, maxTokens, maxTextLen, resize, outputs.vae(), outputs.convention(),
                batch, queue);
        Server server;
        try {
            server = new Server(model, tokenizer, kv, config, args.get("host"), port);
        } catch (java.net.BindException e) {
            model.close();
            throw new UsageException("--port " + port + ": cannot listen on " + args.get("host") + ":" + port
                    + " (" + e.getMessage() + ")");
        }
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            model.close();
            stop.countDown();
        }));
        out.println("paligemma serve: listening on http://" + args.get("host") + ":" + server.port() + "/ (model "
                + id + ", queue " + queue + ", batch " + batch + ")");
        out.flush();
        stop.await();
        return 0;
    }

    /** The tokenizer inside a Hugging Face model directory, else beside the checkpoint file. */
    static Path besideCheckpoint(Path ckpt) {
        Path dir = Files.isDirectory(ckpt) ? ckpt : ckpt.toAbsolutePath().getParent();
        for (String name : TOKENIZER_NAMES) {
            Path p = dir.resolve(name);
            if (Files.isReadable(p)) return p;
        }
        throw new UsageException("no --tokenizer given and none of " + String.join(", ", TOKENIZER_NAMES)
                + (Files.isDirectory(ckpt) ? " in " : " beside ") + ckpt);
    }

    /** The checkpoint's file name without {@code .npz}, {@code .bf16} and the like. */
    static String modelId(Path ckpt) {
        String n = ckpt.getFileName().toString();
        for (String ext : List.of(".npz", ".msgpack", ".bf16", ".f16", ".f32")) {
            if (n.endsWith(ext)) n = n.substring(0, n.length() - ext.length());
        }
        return n;
    }
}
