package dev.arkonis.ark.bridge.reconcile;

import dev.arkonis.ark.bridge.informer.ReportedException;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * API-server refusals a user or an administrator must act on (403 from RBAC or an admission plugin,
 * 422 from validation, other 4xx), turned into a condition reason and a message that names what the
 * operator tried and what to do. Conflicts (409) and server or network errors are not refusals:
 * they are retried without a condition.
 */
public final class ApiErrors {
  public static final String FORBIDDEN = "Forbidden";
  public static final String INVALID = "Invalid";
  public static final String API_ERROR = "ApiError";

  private ApiErrors() {}

  /** Whether the error is a refusal to report on the object (4xx other than 409). */
  public static boolean refusal(KubernetesClientException e) {
    return e.getCode() >= 400 && e.getCode() < 500 && e.getCode() != 409;
  }

  /**
   * The error as a {@link ReportedException}: reason from the HTTP code, message {@code <action>:
   * <the API server's message>; <what to do>}.
   *
   * @param action what the operator tried, e.g. {@code cannot create Deployment ns/x}
   */
  public static ReportedException reported(KubernetesClientException e, String action) {
    int code = e.getCode();
    String reason = code == 403 ? FORBIDDEN : code == 422 ? INVALID : API_ERROR;
    String detail =
        e.getStatus() != null && e.getStatus().getMessage() != null
            ? e.getStatus().getMessage()
            : e.getMessage();
    String hint =
        switch (code) {
          case 403 ->
              "the API server refused the operator (RBAC or an admission plugin); give its"
                  + " ServiceAccount the permissions of deploy/rbac/contract.txt (the Helm chart"
                  + " grants them) or fix what the admission message names";
          case 422 -> "the API server rejected the object; fix the field the message names";
          default -> "the API server refused the request (HTTP " + code + ")";
        };
    return new ReportedException(reason, action + ": " + detail + "; " + hint, e);
  }
}
