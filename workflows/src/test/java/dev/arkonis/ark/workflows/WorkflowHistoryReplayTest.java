package dev.arkonis.ark.workflows;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arkonis.ark.workflows.run.WorkflowTypes;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.common.metadata.POJOWorkflowImplMetadata;
import io.temporal.common.metadata.POJOWorkflowMethodMetadata;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.WorkflowReplayer;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Replays every recorded history under {@code src/test/resources/histories} (all folders) against
 * the current code of every workflow type in {@link WorkflowTypes#ALL}, so a change of a command
 * sequence without {@code Workflow.getVersion} fails the build; and fails when a type has no
 * recorded history. Recording: {@link DevServerHistoryRecorder}. Old files are never deleted: they
 * are what running workflows of earlier versions look like.
 */
class WorkflowHistoryReplayTest {
  private static final Path HISTORIES = DevServerHistoryRecorder.HISTORIES;
  private static TestWorkflowEnvironment env;
  private static Worker worker;

  @BeforeAll
  static void worker() {
    env = TestWorkflowEnvironment.newInstance();
    // a loaded build machine can take over a second to load classes on the first replay
    worker =
        env.newWorker(
            "replay",
            WorkerOptions.newBuilder().setDefaultDeadlockDetectionTimeout(30_000).build());
    worker.registerWorkflowImplementationTypes(WorkflowTypes.ALL);
  }

  @AfterAll
  static void close() {
    env.close();
  }

  static List<Path> histories() throws IOException {
    try (Stream<Path> files = Files.walk(HISTORIES)) {
      return files.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("histories")
  void recordedHistoryReplaysAgainstTheCurrentCode(Path file) throws Exception {
    WorkflowReplayer.replayWorkflowExecution(read(file), worker);
  }

  @Test
  void everyWorkflowTypeHasARecordedHistory() throws IOException {
    Set<String> recorded = new TreeSet<>();
    for (Path file : histories()) {
      recorded.add(workflowType(read(file)));
    }
    assertThat(recorded)
        .as("workflow types with a history in %s (record with DevServerHistoryRecorder)", HISTORIES)
        .containsAll(types());
  }

  /** The workflow type names of {@link WorkflowTypes#ALL} (e.g. TeamRun, NotifyWorkflow). */
  static Set<String> types() {
    return Arrays.stream(WorkflowTypes.ALL)
        .flatMap(c -> POJOWorkflowImplMetadata.newInstance(c).getWorkflowMethods().stream())
        .map(POJOWorkflowMethodMetadata::getName)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  static String workflowType(WorkflowExecutionHistory history) {
    return history
        .getEvents()
        .get(0)
        .getWorkflowExecutionStartedEventAttributes()
        .getWorkflowType()
        .getName();
  }

  private static WorkflowExecutionHistory read(Path file) throws IOException {
    return WorkflowExecutionHistory.fromJson(Files.readString(file));
  }
}
