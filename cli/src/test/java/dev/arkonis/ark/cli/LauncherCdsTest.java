package dev.arkonis.ark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./ark} launcher's class-data-sharing archive, on a small jar whose main class is
 * {@link LauncherProbe} ({@code ARK_JAR}): the first successful {@code ark run} records the archive
 * next to the jar, later commands load their classes from it, and a damaged, stale or missing
 * archive never breaks a command or prints anything.
 */
class LauncherCdsTest {
  private static final Path LAUNCHER = Path.of("..", "ark").toAbsolutePath().normalize();
  private static final String SHARED =
      "dev.arkonis.ark.cli.LauncherProbe source: shared objects file";

  @TempDir Path dir;
  private Path jar;
  private Path archive;

  /** What one launcher process did. */
  record Result(int code, String stdout, String stderr, String classLoading) {}

  @BeforeEach
  void probeJar() throws IOException {
    jar = dir.resolve("probe.jar");
    archive = dir.resolve("probe.jsa");
    writeJar("");
  }

  /** The probe jar, with {@code extra} as one more entry when it is not empty. */
  private void writeJar(String extra) throws IOException {
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, LauncherProbe.class.getName());
    String entry = LauncherProbe.class.getName().replace('.', '/') + ".class";
    try (OutputStream file = Files.newOutputStream(jar);
        JarOutputStream out = new JarOutputStream(file, manifest);
        InputStream in = LauncherProbe.class.getClassLoader().getResourceAsStream(entry)) {
      out.putNextEntry(new JarEntry(entry));
      in.transferTo(out);
      out.closeEntry();
      if (!extra.isEmpty()) {
        out.putNextEntry(new JarEntry("extra.txt"));
        out.write(extra.getBytes(StandardCharsets.UTF_8));
        out.closeEntry();
      }
    }
    Files.setLastModifiedTime(jar, FileTime.from(Instant.now().minusSeconds(60)));
  }

  private Result ark(String... args) throws Exception {
    Path log = dir.resolve("class-load-" + System.nanoTime() + ".txt");
    List<String> command = new ArrayList<>(List.of("bash", LAUNCHER.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    Map<String, String> env = builder.environment();
    env.put("ARK_JAR", jar.toString());
    env.remove("ARK_CDS");
    env.put("ARK_JAVA_OPTS", "-Xlog:class+load=info:file=" + log);
    Path out = dir.resolve("out.txt");
    Path err = dir.resolve("err.txt");
    Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("the launcher finished").isTrue();
    String loading = Files.exists(log) ? Files.readString(log) : "";
    return new Result(
        process.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8),
        loading);
  }

  @Test
  void theFirstRunRecordsTheArchiveAndLaterCommandsLoadTheirClassesFromIt() throws Exception {
    Result first = ark("run", "team.yaml", "0");
    assertThat(first.code()).isZero();
    assertThat(first.stdout()).isEqualTo("probe run team.yaml 0\n");
    assertThat(first.stderr()).isEmpty();
    assertThat(first.classLoading()).doesNotContain(SHARED);
    assertThat(archive).as("archive next to the jar").isNotEmptyFile();
    assertThat(dir).isDirectoryNotContaining("glob:**.tmp");

    for (String command : List.of("run", "version")) {
      Result later = ark(command, "0");
      assertThat(later.code()).isZero();
      assertThat(later.stdout()).isEqualTo("probe " + command + " 0\n");
      assertThat(later.stderr()).isEmpty();
      assertThat(later.classLoading()).as("classes of %s", command).contains(SHARED);
    }
  }

  @Test
  void onlyASuccessfulRealRunRecordsTheArchiveAndItsExitCodeIsKept() throws Exception {
    assertThat(ark("version", "0").code()).isZero();
    assertThat(archive).as("not recorded by other commands").doesNotExist();
    assertThat(ark("run", "team.yaml", "--dry-run", "0").code()).isZero();
    assertThat(archive).as("not recorded by a dry run, which loads few classes").doesNotExist();

    Result failed = ark("run", "team.yaml", "3");
    assertThat(failed.code()).isEqualTo(3);
    assertThat(failed.stdout()).isEqualTo("probe run team.yaml 3\n");
    assertThat(archive).as("not recorded by a failed run").doesNotExist();
    assertThat(dir).isDirectoryNotContaining("glob:**.tmp");

    assertThat(ark("run", "team.yaml", "0").code()).isZero();
    assertThat(archive).isNotEmptyFile();
  }

  @Test
  void aDamagedArchiveIsIgnoredSilentlyAndReplacedWhenTheJarChanges() throws Exception {
    assertThat(ark("run", "0").code()).isZero();
    byte[] good = Files.readAllBytes(archive);
    archive.toFile().setWritable(true);
    byte[] damaged = good.clone();
    for (int i = 0; i < damaged.length; i += 97) {
      damaged[i] = (byte) ~damaged[i];
    }
    Files.write(archive, damaged);

    Result run = ark("run", "0");
    assertThat(run.code()).isZero();
    assertThat(run.stdout()).as("nothing but the command's output").isEqualTo("probe run 0\n");
    assertThat(run.stderr()).isEmpty();
    assertThat(run.classLoading()).doesNotContain(SHARED).contains("LauncherProbe source: file:");

    // a rebuilt jar (newer than the archive): the next run records a new archive
    Files.setLastModifiedTime(archive, FileTime.from(Instant.now().minusSeconds(30)));
    Files.setLastModifiedTime(jar, FileTime.from(Instant.now().minusSeconds(10)));
    assertThat(ark("run", "0").code()).isZero();
    assertThat(Files.readAllBytes(archive)).isNotEqualTo(damaged);
    Result after = ark("run", "0");
    assertThat(after.stdout()).isEqualTo("probe run 0\n");
    assertThat(after.classLoading()).contains(SHARED);
  }

  @Test
  void anArchiveOfAnotherJarIsIgnoredWithoutAWarningOnStdout() throws Exception {
    assertThat(ark("run", "0").code()).isZero();
    // the same file name, other contents, and the archive still looks newer than the jar
    writeJar("rebuilt");
    Files.setLastModifiedTime(jar, FileTime.from(Instant.now().minusSeconds(30)));

    Result run = ark("version", "0");
    assertThat(run.stdout()).isEqualTo("probe version 0\n");
    assertThat(run.stderr()).isEmpty();
    assertThat(run.classLoading()).doesNotContain(SHARED);
  }

  @Test
  void arkCdsZeroTurnsItOff() throws Exception {
    ProcessBuilder builder =
        new ProcessBuilder("bash", LAUNCHER.toString(), "run", "0")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("out.txt").toFile());
    builder.environment().put("ARK_JAR", jar.toString());
    builder.environment().put("ARK_CDS", "0");
    Process process = builder.start();
    assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
    assertThat(process.exitValue()).isZero();
    assertThat(archive).doesNotExist();
  }
}
