package dev.arkonis.ark.workflows.run;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VerdictsTest {
  @ParameterizedTest
  @ValueSource(
      strings = {"VALID", "valid", "VALID.", "  **Valid**", "VALID: it has numbers", "`VALID`"})
  void aFirstWordValidPassesAStep(String answer) {
    assertThat(Verdicts.passes(answer, Verdicts.STEP)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "INVALID",
        "NOT VALID",
        "The output is NOT VALID",
        "The output is VALID",
        "VALIDATED",
        "invalid: no numbers",
        "",
        "   ",
        "HEALTHY"
      })
  void anythingElseFailsAStep(String answer) {
    assertThat(Verdicts.passes(answer, Verdicts.STEP)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"HEALTHY", "Healthy.", "VALID", "healthy - all good"})
  void aProbeAcceptsUpstreamsHealthyAndOurValid(String answer) {
    assertThat(Verdicts.passes(answer, Verdicts.PROBE)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"UNHEALTHY", "NOT HEALTHY", "I am healthy", "INVALID"})
  void aProbeRejectsTheRest(String answer) {
    assertThat(Verdicts.passes(answer, Verdicts.PROBE)).isFalse();
  }

  @org.junit.jupiter.api.Test
  void aConfiguredExpectedAnswerIsTheOnlyWordAccepted() {
    assertThat(Verdicts.probe(null)).isEqualTo(Verdicts.PROBE);
    assertThat(Verdicts.probe(" ")).isEqualTo(Verdicts.PROBE);
    assertThat(Verdicts.passes("OK, all fine", Verdicts.probe("ok"))).isTrue();
    assertThat(Verdicts.passes("Ok.", Verdicts.probe("OK"))).isTrue();
    assertThat(Verdicts.passes("HEALTHY", Verdicts.probe("OK"))).isFalse();
    assertThat(Verdicts.passes("VALID", Verdicts.probe("HEALTHY"))).isFalse();
    assertThat(Verdicts.passes("The output is NOT VALID", Verdicts.probe("VALID"))).isFalse();
    assertThat(Verdicts.passes("The output is NOT VALID", Verdicts.probe(null))).isFalse();
  }

  @org.junit.jupiter.api.Test
  void nullHasNoFirstWord() {
    assertThat(Verdicts.firstWord(null)).isEmpty();
    assertThat(Verdicts.passes(null, Verdicts.STEP)).isFalse();
  }
}
