package dev.arkonis.ark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code ark operator}'s admission webhook options are checked before anything starts. */
class OperatorCommandTest {

  @Test
  void aTlsSecretAndACertificateFolderExcludeEachOther() {
    Cli result =
        Cli.run(
            "operator",
            "--admission-tls-secret",
            "ark-operator-admission-tls",
            "--admission-cert-dir",
            "/etc/ark/admission-tls");
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err())
        .contains("--admission-tls-secret and --admission-cert-dir exclude each other")
        .doesNotContain("Exception");
  }

  @Test
  void aSelfSignedCertificateNeedsTheNamespaceAndTheService() {
    Cli result =
        Cli.run(
            "operator",
            "--admission-tls-secret",
            "ark-operator-admission-tls",
            "--leader-election-namespace",
            "");
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err())
        .contains("--admission-tls-secret needs --leader-election-namespace")
        .doesNotContain("Exception");
  }

  @Test
  void theHelpListsTheAdmissionOptions() {
    assertThat(Cli.run("help", "operator").out())
        .contains("--admission-port", "--admission-tls-secret", "--admission-cert-dir");
  }
}
