package tfpeft.suite.slurm;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/** Slurm's client commands answering from the test: what each was asked, and canned output. */
final class FakeSlurm implements SlurmCommands {
  final List<List<String>> calls = new ArrayList<>();
  final Set<String> installed = new HashSet<>(Set.of("sbatch", "squeue", "sacct", "scancel"));
  Function<List<String>, Result> sbatch = argv -> new Result(0, "41\n", "");
  Function<List<String>, Result> squeue = argv -> new Result(1, "",
      "slurm_load_jobs error: Invalid job id specified\n");
  Function<List<String>, Result> sacct = argv -> new Result(1, "",
      "Slurm accounting storage is disabled\n");

  static Result ok(String stdout) {
    return new Result(0, stdout, "");
  }

  @Override
  public boolean installed(String program) {
    return installed.contains(program);
  }

  @Override
  public Result run(List<String> argv) {
    calls.add(List.copyOf(argv));
    return switch (argv.get(0)) {
      case "sbatch" -> sbatch.apply(argv);
      case "squeue" -> squeue.apply(argv);
      case "sacct" -> sacct.apply(argv);
      default -> throw new AssertionError("unexpected command " + argv);
    };
  }

  List<List<String>> callsOf(String program) {
    return calls.stream().filter(c -> c.get(0).equals(program)).toList();
  }
}
