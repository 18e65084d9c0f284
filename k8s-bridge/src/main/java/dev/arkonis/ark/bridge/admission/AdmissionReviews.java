package dev.arkonis.ark.bridge.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arkonis.ark.activities.spec.SpecValidator;
import dev.arkonis.ark.crd.manifest.Problem;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The answer to an {@code admission.k8s.io/v1} AdmissionReview for an ark object: the object is
 * checked by {@link SpecValidator#validateStored} — the one validation path of {@code ark validate}
 * and the operator — and a problem denies the request with status 422 ({@code reason: Invalid}),
 * the located messages of {@code ark validate} ({@code Kind/name: field: what to do}; an API object
 * has no file line) and one {@code details.causes} entry per problem.
 *
 * <p>What is validated: CREATE, and an UPDATE that changes what the author wrote (apiVersion or
 * spec) of an object that is not being deleted — so finalizers, labels and annotations can always
 * be written to an object stored before the webhook existed, and such an object can always be
 * deleted. Other groups and operations are allowed untouched.
 */
public final class AdmissionReviews {
  private static final Logger LOG = LoggerFactory.getLogger(AdmissionReviews.class);

  /** API group of the ark kinds. */
  public static final String GROUP = "arkonis.dev";

  /** The AdmissionReview apiVersion answered. */
  public static final String API_VERSION = "admission.k8s.io/v1";

  /** At most this many problems are listed in the message (all are in {@code details.causes}). */
  static final int MAX_MESSAGE_PROBLEMS = 20;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final SpecValidator validator;

  public AdmissionReviews(SpecValidator validator) {
    this.validator = validator;
  }

  /** A request that is not an AdmissionReview this webhook can answer. */
  public static final class Malformed extends Exception {
    Malformed(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * The AdmissionReview answering {@code review}.
   *
   * @throws Malformed when {@code review} is not an {@code admission.k8s.io/v1} AdmissionReview
   *     with a {@code request.uid}
   */
  public ObjectNode answer(JsonNode review) throws Malformed {
    if (review == null
        || !review.isObject()
        || !API_VERSION.equals(review.path("apiVersion").asText())
        || !"AdmissionReview".equals(review.path("kind").asText())) {
      throw new Malformed("expected an " + API_VERSION + " AdmissionReview");
    }
    JsonNode request = review.path("request");
    String uid = request.path("uid").asText("");
    if (!request.isObject() || uid.isEmpty()) {
      throw new Malformed("the AdmissionReview has no request.uid");
    }
    ObjectNode response = JSON.createObjectNode();
    response.put("uid", uid);
    ObjectNode status = deny(request);
    response.put("allowed", status == null);
    if (status != null) {
      response.set("status", status);
    }
    ObjectNode answer = JSON.createObjectNode();
    answer.put("apiVersion", API_VERSION);
    answer.put("kind", "AdmissionReview");
    answer.set("response", response);
    return answer;
  }

  /** The Status denying the request, or null to allow it. */
  private ObjectNode deny(JsonNode request) throws Malformed {
    String operation = request.path("operation").asText();
    JsonNode object = request.path("object");
    if (!GROUP.equals(request.path("kind").path("group").asText())
        || !(operation.equals("CREATE") || operation.equals("UPDATE"))
        || !request.path("subResource").asText("").isEmpty()) {
      return null;
    }
    if (!object.isObject()) {
      throw new Malformed("the AdmissionReview has no request.object");
    }
    if (operation.equals("UPDATE") && !authoredChange(request.path("oldObject"), object)) {
      return null;
    }
    List<Problem> problems;
    try {
      problems = validator.validateStored(withName(object, request));
    } catch (RuntimeException e) {
      LOG.error("admission: cannot validate {}: {}", reference(request), e.toString(), e);
      return status(
          500,
          "InternalError",
          "cannot validate "
              + reference(request)
              + " because of an internal error in the ark admission webhook; see its log",
          request,
          List.of());
    }
    if (problems.isEmpty()) {
      return null;
    }
    return status(422, "Invalid", message(problems), request, problems);
  }

  /** Whether an UPDATE changes what the author wrote and the object is not being deleted. */
  private static boolean authoredChange(JsonNode old, JsonNode object) {
    if (object.path("metadata").hasNonNull("deletionTimestamp")) {
      return false;
    }
    return !old.isObject()
        || !Objects.equals(old.path("spec"), object.path("spec"))
        || !Objects.equals(old.path("apiVersion"), object.path("apiVersion"));
  }

  /**
   * The object with a name: on CREATE with {@code generateName} the API server has not picked one
   * yet in some versions; the request's name, then the prefix, stand in.
   */
  private static JsonNode withName(JsonNode object, JsonNode request) {
    JsonNode metadata = object.path("metadata");
    if (!metadata.path("name").asText("").isEmpty()) {
      return object;
    }
    String name = request.path("name").asText("");
    if (name.isEmpty()) {
      name = metadata.path("generateName").asText("");
    }
    if (name.isEmpty()) {
      return object;
    }
    ObjectNode copy = object.deepCopy();
    copy.with("metadata").put("name", name);
    return copy;
  }

  /** The problems as {@code ark validate} prints them, without file and line, one a line. */
  static String message(List<Problem> problems) {
    StringBuilder out = new StringBuilder();
    problems.stream()
        .limit(MAX_MESSAGE_PROBLEMS)
        .forEach(p -> out.append(out.length() == 0 ? "" : "\n").append(p.format()));
    if (problems.size() > MAX_MESSAGE_PROBLEMS) {
      out.append("\n(and ")
          .append(problems.size() - MAX_MESSAGE_PROBLEMS)
          .append(" more; run 'ark validate' on the file)");
    }
    return out.toString();
  }

  private static ObjectNode status(
      int code, String reason, String message, JsonNode request, List<Problem> problems) {
    ObjectNode status = JSON.createObjectNode();
    status.put("status", "Failure");
    status.put("code", code);
    status.put("reason", reason);
    status.put("message", message);
    ObjectNode details = status.putObject("details");
    details.put("group", GROUP);
    details.put("kind", request.path("kind").path("kind").asText());
    String name = name(request);
    if (!name.isEmpty()) {
      details.put("name", name);
    }
    if (!problems.isEmpty()) {
      ArrayNode causes = details.putArray("causes");
      for (Problem p : problems) {
        ObjectNode cause = causes.addObject();
        cause.put("reason", "FieldValueInvalid");
        cause.put("message", p.message());
        cause.put("field", p.field());
      }
    }
    return status;
  }

  private static String name(JsonNode request) {
    String name = request.path("object").path("metadata").path("name").asText("");
    return name.isEmpty() ? request.path("name").asText("") : name;
  }

  private static String reference(JsonNode request) {
    return request.path("kind").path("kind").asText() + "/" + name(request);
  }
}
