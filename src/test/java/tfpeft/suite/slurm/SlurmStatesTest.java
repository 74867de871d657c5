package tfpeft.suite.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tfpeft.suite.JobState;

class SlurmStatesTest {
  @Test
  void squeueRowsAreKeyedByArrayAndTask() {
    Map<String, SlurmStates.Row> rows = SlurmStates.parseSqueue(
        "12|0|RUNNING|None\n12|1|PENDING|Resources\n");
    assertEquals("RUNNING", rows.get("12_0").state());
    assertEquals("Resources", rows.get("12_1").reason());
    assertEquals(2, rows.size());
  }

  @Test
  void aPendingRangeStandsForEachOfItsTasks() {
    Map<String, SlurmStates.Row> rows = SlurmStates.parseSqueue("7|[2-4%2]|PENDING|JobArrayTaskLimit\n");
    assertEquals(List.of("7_2", "7_3", "7_4"), List.copyOf(rows.keySet()));
  }

  @Test
  void taskRangesReadListsStepsAndThrottles() {
    assertEquals(List.of(1, 3, 4, 5, 8, 10), SlurmStates.taskRange("[1,3-5,8-10:2%3]"));
    assertEquals(List.of(), SlurmStates.taskRange("N/A"));
  }

  @Test
  void sacctKeepsTheStatesFirstWordAndTheExitCodeBeforeTheSignal() {
    Map<String, SlurmStates.Row> rows = SlurmStates.parseSacct(
        "30_0|CANCELLED by 1000|0:15\n30_1|FAILED|3:0\n30_1.batch|FAILED|3:0\n31|COMPLETED|0:0\n");
    assertEquals(new SlurmStates.Row("CANCELLED", "", 0), rows.get("30_0"));
    assertEquals(new SlurmStates.Row("FAILED", "", 3), rows.get("30_1"));
    assertEquals(2, rows.size(), "steps and jobs outside an array are not tasks: " + rows);
  }

  @Test
  void onlyCompletedSucceedsAndEveryOtherEndingFails() {
    assertEquals(JobState.SUCCEEDED, SlurmStates.jobState("COMPLETED"));
    for (String s : List.of("FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY",
        "PREEMPTED", "BOOT_FAIL", "DEADLINE")) {
      assertEquals(JobState.FAILED, SlurmStates.jobState(s), s);
    }
  }

  @Test
  void queuedAndStartedStatesAreNotEndings() {
    for (String s : List.of("PENDING", "REQUEUED", "CONFIGURING")) {
      assertEquals(JobState.PENDING, SlurmStates.jobState(s), s);
    }
    for (String s : List.of("RUNNING", "COMPLETING", "SUSPENDED", "SOME_NEW_STATE")) {
      assertEquals(JobState.RUNNING, SlurmStates.jobState(s), s);
    }
  }
}
