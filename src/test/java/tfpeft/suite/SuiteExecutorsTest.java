package tfpeft.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import tfpeft.TfpeftException;
import tfpeft.config.LoadedSuite;
import tfpeft.config.SuiteLoader;
import tfpeft.suite.slurm.SlurmExecutor;

/** The executor a suite names, and the thread budget of its runs. */
class SuiteExecutorsTest {
  static final LoadedSuite LOCAL = SuiteLoader.parse("name: \"s\"", "s.pbtxt");

  @Test
  void theLocalExecutorIsTheDefault() {
    assertInstanceOf(LocalExecutor.class, SuiteExecutors.create(LOCAL, 2));
  }

  @Test
  void executorSlurmChoosesTheSlurmExecutor() {
    LoadedSuite s = SuiteLoader.parse("name: \"s\" executor: SLURM", "s.pbtxt");
    try {
      assertInstanceOf(SlurmExecutor.class, SuiteExecutors.create(s, 1));
    } catch (TfpeftException e) {
      // where Slurm is not installed, the Slurm executor itself refuses
      assertTrue(e.getMessage().startsWith("sbatch is not on PATH"), e.getMessage());
    }
  }

  @Test
  void withoutThreadsTheCoresAreSharedAmongTheJobs() {
    assertEquals(4, SuiteExecutors.threads(LOCAL, 2, 0, 8));
    assertEquals(1, SuiteExecutors.threads(LOCAL, 3, 0, 4));
  }

  @Test
  void jobsTimesThreadsBeyondTheCoresIsRefused() {
    TfpeftException e = assertThrows(TfpeftException.class,
        () -> SuiteExecutors.threads(LOCAL, 2, 2, 2));
    assertEquals(2, e.exitCode());
    assertTrue(e.getMessage().startsWith("2 jobs x 2 threads need 4 cores; this machine has 2"),
        e.getMessage());
    assertEquals(2, SuiteExecutors.threads(LOCAL, 1, 2, 2));
  }

  @Test
  void moreJobsThanCoresIsRefused() {
    assertThrows(TfpeftException.class, () -> SuiteExecutors.threads(LOCAL, 3, 0, 2));
  }

  @Test
  void slurmRunsTakeTheCpusOfTheirTask() {
    LoadedSuite s = SuiteLoader.parse("name: \"s\" executor: SLURM slurm { cpus_per_task: 6 }",
        "s.pbtxt");
    assertEquals(6, SuiteExecutors.threads(s, 50, 0, 2));
  }
}
