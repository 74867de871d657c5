package tfpeft.suite.slurm;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Runs the Slurm client commands as processes, with a time limit (a hung controller). */
final class ProcessSlurmCommands implements SlurmCommands {
  /** Slurm's clients retry an unreachable controller for about a minute before giving up. */
  private static final long LIMIT_SECONDS = 120;

  @Override
  public boolean installed(String program) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))
          && !Files.isDirectory(Path.of(dir, program))) {
        return true;
      }
    }
    return false;
  }

  @Override
  public Result run(List<String> argv) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(
        new File("/dev/null"))).start();
    CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> drain(p.getInputStream()));
    CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()));
    try {
      if (!p.waitFor(LIMIT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return new Result(124, "", argv.get(0) + " did not finish within " + LIMIT_SECONDS
            + " s");
      }
      return new Result(p.exitValue(), out.get(), err.get());
    } catch (InterruptedException e) {
      p.destroyForcibly();
      throw e;
    } catch (ExecutionException e) {
      throw new IOException("reading " + argv.get(0) + "'s error output", e.getCause());
    }
  }

  private static String drain(InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }
}
