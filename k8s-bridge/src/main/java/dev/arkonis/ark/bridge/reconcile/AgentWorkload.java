package dev.arkonis.ark.bridge.reconcile;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arkonis.ark.activities.llm.PromptSecrets;
import dev.arkonis.ark.activities.memory.MemorySecrets;
import dev.arkonis.ark.activities.spec.MemorySpecs;
import dev.arkonis.ark.bridge.codec.CodecKeys;
import dev.arkonis.ark.bridge.informer.Apply;
import dev.arkonis.ark.bridge.informer.Operator;
import dev.arkonis.ark.crd.v1alpha1.ArkAgent;
import dev.arkonis.ark.crd.v1alpha1.ArkAgentSpec;
import dev.arkonis.ark.crd.v1alpha1.arkagentspec.systempromptref.SecretKeyRef;
import dev.arkonis.ark.workflows.api.RunPlan;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvFromSourceBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The objects that run an ArkAgent: its generated ConfigMap and its worker Deployment. */
final class AgentWorkload {
  static final String AGENT_LABEL = "arkonis.dev/agent";
  static final String CONFIG_HASH = "arkonis.dev/config-hash";
  static final String SPEC_HASH = "arkonis.dev/spec-hash";
  static final String CONFIG_DIR = "/etc/ark/agent";
  static final String PROMPT_ENV = PromptSecrets.ENV;

  /**
   * The operator's environment variable naming the payload codec's Secret key ({@code
   * <secret>/<key>}, set by the Helm chart's {@code payloadCodec} values).
   */
  static final String CODEC_SECRET_ENV = "ARK_CODEC_SECRET";

  static final String CONTAINER = "agent";
  static final int HTTP_PORT = 8080;

  /**
   * The user and group of the ark image (Jib's {@code <user>} in cli/pom.xml, as in the operator's
   * chart Deployment). Pods run as this non-root user so they pass Pod Security {@code restricted}.
   */
  static final long RUN_AS = 65532L;

  private AgentWorkload() {}

  static String configMapName(String agent) {
    return agent + "-config";
  }

  static Map<String, String> selector(String agent) {
    return Map.of(AGENT_LABEL, agent);
  }

  static Map<String, String> labels(String agent) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(AGENT_LABEL, agent);
    labels.put("app.kubernetes.io/name", "ark-agent");
    labels.put("app.kubernetes.io/instance", agent);
    labels.put(Operator.MANAGED_BY_LABEL, Operator.MANAGED_BY);
    return labels;
  }

  static ConfigMap configMap(ArkAgent agent, AgentConfig config) {
    String name = agent.getMetadata().getName();
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName(configMapName(name))
        .withNamespace(agent.getMetadata().getNamespace())
        .withLabels(labels(name))
        .withOwnerReferences(Apply.controllerReference(agent))
        .endMetadata()
        .withData(config.data())
        .build();
  }

  /**
   * The worker Deployment, meeting Pod Security {@code restricted}: non-root user {@link #RUN_AS},
   * seccomp {@code RuntimeDefault}, no privilege escalation, every capability dropped. Its {@code
   * arkonis.dev/spec-hash} annotation digests the whole desired spec, so comparing it tells whether
   * an update is due without being fooled by server defaults.
   */
  static Deployment deployment(
      ArkAgent agent,
      AgentConfig config,
      KubernetesSerialization json,
      String defaultImage,
      String temporalAddress,
      String temporalNamespace) {
    return deployment(
        agent,
        config,
        json,
        defaultImage,
        temporalAddress,
        temporalNamespace,
        System.getenv(CODEC_SECRET_ENV));
  }

  /**
   * As above; with {@code codecSecret} ({@code <secret>/<key>}, the operator's {@value
   * #CODEC_SECRET_ENV}) the agent container gets the payload codec's key ring from that Secret in
   * the agent's namespace, so it reads and writes the same encrypted payloads as the operator.
   */
  static Deployment deployment(
      ArkAgent agent,
      AgentConfig config,
      KubernetesSerialization json,
      String defaultImage,
      String temporalAddress,
      String temporalNamespace,
      String codecSecret) {
    String name = agent.getMetadata().getName();
    String namespace = agent.getMetadata().getNamespace();
    ArkAgentSpec spec = agent.getSpec() == null ? new ArkAgentSpec() : agent.getSpec();
    String image =
        spec.getImage() == null || spec.getImage().isBlank() ? defaultImage : spec.getImage();
    Container container =
        new ContainerBuilder()
            .withName(CONTAINER)
            .withImage(image)
            .withArgs(
                "agent",
                "--task-queue",
                RunPlan.taskQueue(namespace, name),
                "--temporal-address",
                temporalAddress,
                "--temporal-namespace",
                temporalNamespace)
            .addNewPort()
            .withName("http")
            .withContainerPort(HTTP_PORT)
            .withProtocol("TCP")
            .endPort()
            .withEnv(env(namespace, spec, config, json, codecSecret))
            .withEnvFrom(envFrom(spec, json))
            .withResources(
                spec.getResources() == null
                    ? null
                    : json.convertValue(spec.getResources(), ResourceRequirements.class))
            .withLivenessProbe(probe("/healthz", 10, 15))
            .withReadinessProbe(probe("/readyz", readinessPeriod(spec), 5))
            .withSecurityContext(
                new SecurityContextBuilder()
                    .withAllowPrivilegeEscalation(false)
                    .withRunAsNonRoot(true)
                    .withNewCapabilities()
                    .withDrop("ALL")
                    .endCapabilities()
                    .build())
            .addNewVolumeMount()
            .withName("config")
            .withMountPath(CONFIG_DIR)
            .withReadOnly(true)
            .endVolumeMount()
            .build();
    List<Toleration> tolerations = new ArrayList<>();
    if (spec.getTolerations() != null) {
      spec.getTolerations().forEach(t -> tolerations.add(json.convertValue(t, Toleration.class)));
    }
    Deployment deployment =
        new DeploymentBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(namespace)
            .withLabels(labels(name))
            .withOwnerReferences(Apply.controllerReference(agent))
            .endMetadata()
            .withNewSpec()
            .withReplicas(replicas(spec))
            .withNewSelector()
            .withMatchLabels(selector(name))
            .endSelector()
            .withNewTemplate()
            .withNewMetadata()
            .withLabels(labels(name))
            .withAnnotations(podAnnotations(config))
            .endMetadata()
            .withNewSpec()
            .withSecurityContext(
                new PodSecurityContextBuilder()
                    .withRunAsNonRoot(true)
                    .withRunAsUser(RUN_AS)
                    .withRunAsGroup(RUN_AS)
                    .withNewSeccompProfile()
                    .withType("RuntimeDefault")
                    .endSeccompProfile()
                    .build())
            .withContainers(container)
            .addNewVolume()
            .withName("config")
            .withNewConfigMap()
            .withName(configMapName(name))
            .endConfigMap()
            .endVolume()
            .withNodeSelector(spec.getNodeSelector())
            .withTolerations(tolerations.isEmpty() ? null : tolerations)
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    String specHash =
        AgentConfig.sha256(
            AgentConfig.canonical(json.convertValue(deployment.getSpec(), JsonNode.class)));
    deployment.getMetadata().setAnnotations(Map.of(SPEC_HASH, specHash));
    return deployment;
  }

  /**
   * The config digest (a changed config rolls the pods) and the conventional scrape annotations:
   * Prometheus' Kubernetes pod discovery finds {@code /metrics} on the health port.
   */
  static Map<String, String> podAnnotations(AgentConfig config) {
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(CONFIG_HASH, config.hash());
    annotations.put("prometheus.io/scrape", "true");
    annotations.put("prometheus.io/port", String.valueOf(HTTP_PORT));
    annotations.put("prometheus.io/path", "/metrics");
    return annotations;
  }

  static int replicas(ArkAgentSpec spec) {
    return spec.getReplicas() == null ? 1 : Math.max(0, spec.getReplicas());
  }

  private static List<EnvVar> env(
      String namespace,
      ArkAgentSpec spec,
      AgentConfig config,
      KubernetesSerialization json,
      String codecSecret) {
    List<EnvVar> env = new ArrayList<>();
    if (spec.getEnv() != null) {
      spec.getEnv().forEach(e -> env.add(json.convertValue(e, EnvVar.class)));
    }
    if (codecSecret != null && codecSecret.contains("/")) {
      env.removeIf(e -> CodecKeys.KEYS_ENV.equals(e.getName()));
      env.add(
          new EnvVarBuilder()
              .withName(CodecKeys.KEYS_ENV)
              .withNewValueFrom()
              .withNewSecretKeyRef()
              .withName(codecSecret.substring(0, codecSecret.indexOf('/')))
              .withKey(codecSecret.substring(codecSecret.indexOf('/') + 1))
              .endSecretKeyRef()
              .endValueFrom()
              .build());
    }
    if (config.promptSecret() != null) {
      env.removeIf(
          e -> PROMPT_ENV.equals(e.getName()) || PromptSecrets.REF_ENV.equals(e.getName()));
      // which key PROMPT_ENV holds: the chat activity checks it against the run's reference
      env.add(
          new EnvVarBuilder()
              .withName(PromptSecrets.REF_ENV)
              .withValue(
                  namespace
                      + "/"
                      + config.promptSecret().getName()
                      + "/"
                      + config.promptSecret().getKey())
              .build());
      env.add(
          new EnvVarBuilder()
              .withName(PROMPT_ENV)
              .withNewValueFrom()
              .withNewSecretKeyRef()
              .withName(config.promptSecret().getName())
              .withKey(config.promptSecret().getKey())
              .withOptional(Boolean.TRUE.equals(config.promptSecret().getOptional()) ? true : null)
              .endSecretKeyRef()
              .endValueFrom()
              .build());
    }
    SecretKeyRef memory = config.memorySecret();
    if (memory != null) {
      env.removeIf(
          e -> MemorySecrets.ENV.equals(e.getName()) || MemorySecrets.REF_ENV.equals(e.getName()));
      // which key MemorySecrets.ENV holds: the memory activities check it against the run's
      env.add(
          new EnvVarBuilder()
              .withName(MemorySecrets.REF_ENV)
              .withValue(namespace + "/" + memory.getName() + "/" + memory.getKey())
              .build());
      env.add(
          new EnvVarBuilder()
              .withName(MemorySecrets.ENV)
              .withNewValueFrom()
              .withNewSecretKeyRef()
              .withName(memory.getName())
              .withKey(memory.getKey())
              .withOptional(!MemorySpecs.REDIS_URL.equals(memory.getKey()))
              .endSecretKeyRef()
              .endValueFrom()
              .build());
    }
    return env;
  }

  /**
   * {@code spec.envFrom}, then the Secrets of {@code mcpServers[].headersFrom} (see McpHeaders).
   */
  private static List<EnvFromSource> envFrom(ArkAgentSpec spec, KubernetesSerialization json) {
    List<EnvFromSource> envFrom = new ArrayList<>();
    if (spec.getEnvFrom() != null) {
      spec.getEnvFrom().forEach(e -> envFrom.add(json.convertValue(e, EnvFromSource.class)));
    }
    for (String secret : AgentConfig.headerSecrets(spec)) {
      boolean present =
          envFrom.stream()
              .anyMatch(
                  e ->
                      e.getSecretRef() != null
                          && secret.equals(e.getSecretRef().getName())
                          && e.getPrefix() == null);
      if (!present) {
        envFrom.add(
            new EnvFromSourceBuilder().withNewSecretRef().withName(secret).endSecretRef().build());
      }
    }
    return envFrom;
  }

  private static int readinessPeriod(ArkAgentSpec spec) {
    Integer interval =
        spec.getLivenessProbe() == null ? null : spec.getLivenessProbe().getIntervalSeconds();
    return interval == null || interval <= 0 ? 10 : interval;
  }

  private static Probe probe(String path, int periodSeconds, int initialDelaySeconds) {
    return new ProbeBuilder()
        .withNewHttpGet()
        .withPath(path)
        .withPort(new IntOrString("http"))
        .endHttpGet()
        .withInitialDelaySeconds(initialDelaySeconds)
        .withPeriodSeconds(periodSeconds)
        .build();
  }
}
