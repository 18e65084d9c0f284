package dev.arkonis.ark.cli;

import dev.arkonis.ark.bridge.codec.CodecKeys;
import dev.arkonis.ark.bridge.codec.CodecServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ark codec-server}: the payload codec's HTTP endpoint for the Temporal Web UI ({@code
 * TEMPORAL_CODEC_ENDPOINT}) and CLI ({@code --codec-endpoint}), so people allowed to see decrypted
 * histories can, while Temporal itself stores only ciphertext.
 */
@Command(
    name = "codec-server",
    description =
        "Serve POST /decode and /encode for the Temporal Web UI and CLI (payload codec keys from"
            + " ARK_CODEC_KEYS or ARK_CODEC_KEY_FILE, token from ARK_CODEC_TOKEN).")
final class CodecServerCommand implements java.util.concurrent.Callable<Integer> {
  @Option(names = "--port", defaultValue = "8088", description = "Port (0 = any free).")
  int port;

  @Option(names = "--host", defaultValue = "0.0.0.0", description = "Address to listen on.")
  String host;

  @Option(
      names = "--key-file",
      description = "Codec key ring file (default: ARK_CODEC_KEYS / ARK_CODEC_KEY_FILE).")
  Path keyFile;

  @Option(
      names = "--token-file",
      description = "File holding the bearer token requests must carry (default: ARK_CODEC_TOKEN).")
  Path tokenFile;

  @Option(
      names = "--cors-origin",
      description = "Browser origin allowed to call it, e.g. http://localhost:8233; repeatable.")
  List<String> origins = List.of();

  @Override
  public Integer call() throws Exception {
    Map<String, String> env = System.getenv();
    CodecKeys keys;
    String token;
    try {
      keys =
          keyFile != null
              ? CodecKeys.read(keyFile)
              : CodecKeys.fromEnvironment(env)
                  .orElseThrow(
                      () ->
                          new UserError(
                              "no codec keys: set "
                                  + CodecKeys.KEYS_ENV
                                  + " or "
                                  + CodecKeys.KEY_FILE_ENV
                                  + ", or give --key-file"));
    } catch (IllegalArgumentException e) {
      throw new UserError("payload codec: " + e.getMessage());
    }
    token = tokenFile != null ? readToken(tokenFile) : env.get(CodecServer.TOKEN_ENV);
    if (token == null || token.isBlank()) {
      throw new UserError(
          "no codec endpoint token: set "
              + CodecServer.TOKEN_ENV
              + " or give --token-file (the endpoint decrypts every payload, so it is never open)");
    }
    CountDownLatch stop = new CountDownLatch(1);
    try (CodecServer server =
        new CodecServer(keys, host, port, token, new LinkedHashSet<>(origins))) {
      Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
      System.err.println(
          "ark codec-server: POST /decode and /encode on :"
              + server.port()
              + " (current key "
              + keys.currentId()
              + ", "
              + keys.ids().size()
              + " keys)");
      stop.await();
    }
    return 0;
  }

  private static String readToken(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new UserError("cannot read --token-file " + file + ": " + e.getMessage());
    }
  }
}
