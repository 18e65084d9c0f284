package dev.arkonis.ark.activities.llm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.Content;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.json.JsonEnumSchema;
import dev.langchain4j.model.chat.request.json.JsonSchemaElement;
import dev.langchain4j.model.chat.request.json.JsonStringSchema;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The deterministic answers of {@link MockChatModel} when it is not scripted. */
final class MockReplies {
  /** Marker the workflow puts before a step's output schema (see the workflow's StepRunner). */
  static final String SCHEMA_MARKER = dev.arkonis.ark.workflows.api.ChatRequest.SCHEMA_MARKER;

  static final String DELEGATE_TOOL = "delegate";
  static final String VALIDATION_QUESTION = "VALID or INVALID";
  static final String HEALTH_QUESTION = "HEALTHY";

  /** Separator the workflow puts before the output a semantic validator checks. */
  static final String VALIDATION_MARKER = "--- Output to check ---";

  static final int TASK_CHARS = 160;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern ROLE_HINT = Pattern.compile("(?im)^\\s*role:\\s*(\\S[^\\n]*)$");
  private static final Pattern ROLE_WORD = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");

  private MockReplies() {}

  static AiMessage answer(ChatRequest request, String model) {
    List<ChatMessage> messages = request.messages();
    String system = systemText(messages);
    String lastUser = lastUserText(messages);
    Optional<JsonNode> schema = outputSchema(messages);
    Optional<String> routed = MockRouter.answer(lastUser);
    if (routed.isPresent()) {
      return AiMessage.from(routed.get()); // a routed team's router request
    }

    Optional<ToolSpecification> delegate =
        request.toolSpecifications() == null
            ? Optional.empty()
            : request.toolSpecifications().stream()
                .filter(t -> DELEGATE_TOOL.equals(t.name()))
                .findFirst();
    if (delegate.isPresent()) {
      Map<String, String> delegated = delegatedCalls(messages);
      for (String role : delegateRoles(delegate.get())) {
        if (!delegated.containsValue(role)) {
          return AiMessage.from(delegation(role, firstUserText(messages), delegated.size() + 1));
        }
      }
      if (!delegated.isEmpty() && schema.isEmpty()) {
        return AiMessage.from(synthesis(delegated, messages));
      }
    }
    if (schema.isPresent()) {
      return AiMessage.from(SchemaInstanceGenerator.generate(schema.get()).toPrettyString());
    }
    if (system.contains(VALIDATION_QUESTION)
        || lastUser.contains(VALIDATION_QUESTION)
        || lastUser.contains(VALIDATION_MARKER)) {
      return AiMessage.from("VALID");
    }
    if (lastUser.contains(HEALTH_QUESTION)) {
      return AiMessage.from(HEALTH_QUESTION); // an upstream liveness probe's validator prompt
    }
    return AiMessage.from("[mock:" + model + who(system) + "] " + oneLine(lastUser, TASK_CHARS));
  }

  /** The schema after the marker in the latest user message that has one. */
  static Optional<JsonNode> outputSchema(List<ChatMessage> messages) {
    for (int i = messages.size() - 1; i >= 0; i--) {
      if (messages.get(i) instanceof UserMessage user) {
        String text = text(user);
        int at = text.lastIndexOf(SCHEMA_MARKER);
        if (at >= 0) {
          Optional<JsonNode> schema = parseSchema(text.substring(at + SCHEMA_MARKER.length()));
          if (schema.isPresent()) {
            return schema;
          }
        }
      }
    }
    return Optional.empty();
  }

  private static Optional<JsonNode> parseSchema(String tail) {
    String body = tail.strip();
    if (body.startsWith("```")) {
      int lineEnd = body.indexOf('\n');
      int close = body.indexOf("```", Math.max(lineEnd, 3));
      if (lineEnd < 0 || close < 0) {
        return Optional.empty();
      }
      body = body.substring(lineEnd + 1, close);
    }
    try {
      JsonNode schema = JSON.readTree(body);
      return schema != null && (schema.isObject() || schema.isBoolean())
          ? Optional.of(schema)
          : Optional.empty();
    } catch (JsonProcessingException e) {
      return JsonAnswers.extract(body).filter(JsonNode::isObject);
    }
  }

  /**
   * Roles offered by the delegate tool: the {@code role} parameter's enum, else its description.
   */
  static List<String> delegateRoles(ToolSpecification delegate) {
    if (delegate.parameters() == null || delegate.parameters().properties() == null) {
      return List.of();
    }
    JsonSchemaElement role = delegate.parameters().properties().get("role");
    if (role instanceof JsonEnumSchema e) {
      return e.enumValues();
    }
    String description = role instanceof JsonStringSchema s ? s.description() : null;
    if (description == null) {
      return List.of();
    }
    // e.g. "Role to delegate to; one of: billing, technical, escalation"
    int colon = description.lastIndexOf(':');
    List<String> roles = new ArrayList<>();
    Matcher words = ROLE_WORD.matcher(colon >= 0 ? description.substring(colon + 1) : "");
    while (words.find()) {
      if (!words.group().equalsIgnoreCase("or") && !words.group().equalsIgnoreCase("and")) {
        roles.add(words.group());
      }
    }
    return roles;
  }

  /** Delegate calls made so far in the conversation: call id to role, in order. */
  private static Map<String, String> delegatedCalls(List<ChatMessage> messages) {
    Map<String, String> calls = new LinkedHashMap<>();
    for (ChatMessage message : messages) {
      if (message instanceof AiMessage ai && ai.hasToolExecutionRequests()) {
        for (ToolExecutionRequest call : ai.toolExecutionRequests()) {
          if (DELEGATE_TOOL.equals(call.name())) {
            calls.put(
                call.id() == null ? "call-" + calls.size() : call.id(), roleOf(call.arguments()));
          }
        }
      }
    }
    return calls;
  }

  private static String roleOf(String arguments) {
    try {
      return JSON.readTree(arguments == null ? "{}" : arguments).path("role").asText("");
    } catch (JsonProcessingException e) {
      return "";
    }
  }

  private static ToolExecutionRequest delegation(String role, String task, int number) {
    ObjectNode arguments = JSON.createObjectNode();
    arguments.put("role", role);
    arguments.put("task", "Handle the " + role + " part of this request: " + oneLine(task, 200));
    return ToolExecutionRequest.builder()
        .id("mock-delegate-" + number)
        .name(DELEGATE_TOOL)
        .arguments(arguments.toString())
        .build();
  }

  private static String synthesis(Map<String, String> delegated, List<ChatMessage> messages) {
    Map<String, String> results = new LinkedHashMap<>();
    for (ChatMessage message : messages) {
      if (message instanceof ToolExecutionResultMessage result && result.id() != null) {
        results.put(result.id(), result.text());
      }
    }
    StringBuilder summary = new StringBuilder("Summary of delegated work:");
    delegated.forEach(
        (id, role) -> {
          String result = results.getOrDefault(id, "(no result)");
          summary.append("\n- ").append(role).append(": ");
          summary.append(result == null ? "" : result.strip().replace("\n", "\n  "));
        });
    return summary.toString();
  }

  /** Who answers: the system prompt's {@code Role:} line, else a digest of the system prompt. */
  private static String who(String system) {
    if (system.isBlank()) {
      return "";
    }
    Matcher hint = ROLE_HINT.matcher(system);
    return hint.find() ? " " + oneLine(hint.group(1), 40) : " #" + digest(system);
  }

  static String digest(String text) {
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash, 0, 3);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }

  static String oneLine(String text, int max) {
    String line = text == null ? "" : text.replaceAll("\\s+", " ").strip();
    if (line.isEmpty()) {
      return "(no task)";
    }
    return line.length() <= max ? line : line.substring(0, max) + "…";
  }

  static String systemText(List<ChatMessage> messages) {
    StringBuilder system = new StringBuilder();
    for (ChatMessage message : messages) {
      if (message instanceof SystemMessage s) {
        system.append(s.text()).append('\n');
      }
    }
    return system.toString();
  }

  private static String lastUserText(List<ChatMessage> messages) {
    for (int i = messages.size() - 1; i >= 0; i--) {
      if (messages.get(i) instanceof UserMessage user) {
        return text(user);
      }
    }
    return "";
  }

  private static String firstUserText(List<ChatMessage> messages) {
    for (ChatMessage message : messages) {
      if (message instanceof UserMessage user) {
        return text(user);
      }
    }
    return "";
  }

  static String text(UserMessage user) {
    if (user.hasSingleText()) {
      return user.singleText();
    }
    StringBuilder text = new StringBuilder();
    for (Content content : user.contents()) {
      if (content instanceof TextContent t) {
        text.append(t.text()).append('\n');
      }
    }
    return text.toString();
  }

  /** Characters of a message as the token estimate counts them. */
  static int characters(ChatMessage message) {
    if (message instanceof SystemMessage s) {
      return s.text().length();
    }
    if (message instanceof UserMessage u) {
      return text(u).length();
    }
    if (message instanceof ToolExecutionResultMessage r) {
      return r.text() == null ? 0 : r.text().length();
    }
    if (message instanceof AiMessage ai) {
      int chars = ai.text() == null ? 0 : ai.text().length();
      if (ai.hasToolExecutionRequests()) {
        for (ToolExecutionRequest call : ai.toolExecutionRequests()) {
          chars +=
              call.name().length() + (call.arguments() == null ? 0 : call.arguments().length());
        }
      }
      return chars;
    }
    return 0;
  }
}
