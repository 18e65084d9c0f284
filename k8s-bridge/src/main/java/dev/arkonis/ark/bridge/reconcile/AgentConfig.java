package dev.arkonis.ark.bridge.reconcile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arkonis.ark.bridge.informer.Caches;
import dev.arkonis.ark.crd.v1alpha1.ArkAgent;
import dev.arkonis.ark.crd.v1alpha1.ArkAgentSpec;
import dev.arkonis.ark.crd.v1alpha1.ArkMemory;
import dev.arkonis.ark.crd.v1alpha1.ArkSettings;
import dev.arkonis.ark.crd.v1alpha1.arkagentspec.SystemPromptRef;
import dev.arkonis.ark.crd.v1alpha1.arkagentspec.systempromptref.ConfigMapKeyRef;
import dev.arkonis.ark.crd.v1alpha1.arkagentspec.systempromptref.SecretKeyRef;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What an agent's generated ConfigMap holds, with its references resolved from the caches: the
 * system prompt (inline or from a ConfigMap key; a Secret key stays a reference and reaches the
 * pods as env {@code ARK_SYSTEM_PROMPT}), the referenced ArkSettings spec and the agent's JSON
 * blocks. {@code problem} is set (and nothing else is usable) when a reference cannot be resolved.
 *
 * @param data the ConfigMap data, keys sorted
 * @param promptSecret the Secret key holding the system prompt, or null
 * @param hash SHA-256 over the data and the Secret reference: changes whenever the pods must roll
 * @param problem what is missing, for a condition message (field path first), or null
 */
record AgentConfig(
    Map<String, String> data, SecretKeyRef promptSecret, String hash, String problem) {

  static final String MODEL = "model";
  static final String PROVIDER = "provider";
  static final String SYSTEM_PROMPT = "systemPrompt";
  static final String SETTINGS = "settings.json";
  static final String MCP_SERVERS = "mcpServers.json";
  static final String TOOLS = "tools.json";
  static final String LIVENESS_PROBE = "livenessProbe.json";
  static final String LIMITS = "limits.json";

  /** The spec of the agent's ArkMemory: its Secret key becomes the pods' ARK_MEMORY_SECRET. */
  static final String MEMORY = "memory.json";

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  static AgentConfig resolve(ArkAgent agent, Caches caches, KubernetesSerialization json) {
    String namespace = agent.getMetadata().getNamespace();
    ArkAgentSpec spec = agent.getSpec() == null ? new ArkAgentSpec() : agent.getSpec();
    Map<String, String> data = new TreeMap<>();
    data.put(MODEL, nullToEmpty(spec.getModel()));
    if (spec.getProvider() != null) {
      data.put(PROVIDER, json.convertValue(spec.getProvider(), JsonNode.class).asText());
    }
    SystemPromptRef ref = spec.getSystemPromptRef();
    SecretKeyRef secret = null;
    if (ref != null && ref.getConfigMapKeyRef() != null) {
      ConfigMapKeyRef key = ref.getConfigMapKeyRef();
      ConfigMap source = caches.get(ConfigMap.class, namespace, key.getName());
      String value =
          source == null || source.getData() == null ? null : source.getData().get(key.getKey());
      if (value == null && Boolean.TRUE.equals(key.getOptional())) {
        value = spec.getSystemPrompt(); // optional: no prompt from the ConfigMap, not an error
      } else if (value == null) {
        return missing(
            "spec.systemPromptRef.configMapKeyRef: "
                + (source == null
                    ? "ConfigMap "
                        + key.getName()
                        + " (key "
                        + key.getKey()
                        + ") not found in namespace "
                        + namespace
                    : "ConfigMap " + key.getName() + " has no key " + key.getKey())
                + "; create it or fix the reference");
      }
      if (value != null) {
        data.put(SYSTEM_PROMPT, value);
      }
    } else if (ref != null && ref.getSecretKeyRef() != null) {
      secret = ref.getSecretKeyRef();
    } else if (spec.getSystemPrompt() != null) {
      data.put(SYSTEM_PROMPT, spec.getSystemPrompt());
    }
    JsonNode settings = NODES.objectNode();
    if (spec.getConfigRef() != null && spec.getConfigRef().getName() != null) {
      String name = spec.getConfigRef().getName();
      ArkSettings found = caches.get(ArkSettings.class, namespace, name);
      if (found == null) {
        return missing(
            "spec.configRef: ArkSettings "
                + name
                + " not found in namespace "
                + namespace
                + "; create it or fix the reference");
      }
      settings = json.convertValue(found.getSpec(), JsonNode.class);
    }
    data.put(SETTINGS, canonical(settings));
    if (spec.getMemoryRef() != null && spec.getMemoryRef().getName() != null) {
      String name = spec.getMemoryRef().getName();
      ArkMemory memory = caches.get(ArkMemory.class, namespace, name);
      if (memory == null) {
        return missing(
            "spec.memoryRef: ArkMemory "
                + name
                + " not found in namespace "
                + namespace
                + "; create it or fix the reference");
      }
      data.put(MEMORY, canonical(json.convertValue(memory.getSpec(), JsonNode.class)));
    }
    data.put(MCP_SERVERS, canonical(list(json, spec.getMcpServers())));
    data.put(TOOLS, canonical(list(json, spec.getTools())));
    data.put(LIVENESS_PROBE, canonical(tree(json, spec.getLivenessProbe())));
    data.put(LIMITS, canonical(tree(json, spec.getLimits())));
    return new AgentConfig(data, secret, hash(data, secret), null);
  }

  private static AgentConfig missing(String problem) {
    return new AgentConfig(Map.of(), null, "", problem);
  }

  /**
   * The Secret key of the agent's ArkMemory ({@code REDIS_URL} of {@code redis.secretRef}, {@code
   * VECTOR_STORE_API_KEY} of {@code vectorStore.secretRef}), or null.
   */
  SecretKeyRef memorySecret() {
    String memory = data.get(MEMORY);
    if (memory == null) {
      return null;
    }
    JsonNode spec;
    try {
      spec = new com.fasterxml.jackson.databind.ObjectMapper().readTree(memory);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      return null;
    }
    String backend = spec.path("backend").asText();
    JsonNode ref =
        "redis".equals(backend)
            ? spec.path("redis").path("secretRef")
            : spec.path("vectorStore").path("secretRef");
    if (!ref.hasNonNull("name") || !("redis".equals(backend) || "vector-store".equals(backend))) {
      return null;
    }
    SecretKeyRef key = new SecretKeyRef();
    key.setName(ref.path("name").asText());
    key.setKey(
        "redis".equals(backend)
            ? dev.arkonis.ark.activities.spec.MemorySpecs.REDIS_URL
            : dev.arkonis.ark.activities.spec.MemorySpecs.VECTOR_STORE_API_KEY);
    return key;
  }

  /** The Secrets named by {@code mcpServers[].headersFrom.secretRef}, in order, once each. */
  static List<String> headerSecrets(ArkAgentSpec spec) {
    List<String> names = new ArrayList<>();
    if (spec.getMcpServers() != null) {
      for (var server : spec.getMcpServers()) {
        if (server.getHeadersFrom() != null
            && server.getHeadersFrom().getSecretRef() != null
            && server.getHeadersFrom().getSecretRef().getName() != null
            && !names.contains(server.getHeadersFrom().getSecretRef().getName())) {
          names.add(server.getHeadersFrom().getSecretRef().getName());
        }
      }
    }
    return names;
  }

  /** The object as JSON with object keys sorted, so equal content gives equal text. */
  static String canonical(JsonNode node) {
    return sorted(node).toString();
  }

  static String sha256(String text) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String hash(Map<String, String> data, SecretKeyRef secret) {
    StringBuilder text = new StringBuilder();
    data.forEach((k, v) -> text.append(k).append('\0').append(v).append('\0'));
    if (secret != null) {
      text.append("secret\0").append(secret.getName()).append('\0').append(secret.getKey());
    }
    return sha256(text.toString());
  }

  private static JsonNode sorted(JsonNode node) {
    if (node.isObject()) {
      ObjectNode out = NODES.objectNode();
      TreeMap<String, JsonNode> fields = new TreeMap<>();
      for (Map.Entry<String, JsonNode> field : node.properties()) {
        fields.put(field.getKey(), sorted(field.getValue()));
      }
      out.setAll(fields);
      return out;
    }
    if (node.isArray()) {
      ArrayNode out = NODES.arrayNode();
      node.forEach(item -> out.add(sorted(item)));
      return out;
    }
    return node;
  }

  private static JsonNode list(KubernetesSerialization json, List<?> items) {
    return items == null ? NODES.arrayNode() : json.convertValue(items, JsonNode.class);
  }

  private static JsonNode tree(KubernetesSerialization json, Object value) {
    return value == null ? NODES.nullNode() : json.convertValue(value, JsonNode.class);
  }

  private static String nullToEmpty(String value) {
    return value == null ? "" : value;
  }
}
