package dev.arkonis.ark.activities.memory;

import dev.arkonis.ark.workflows.api.SecretRef;
import java.util.Map;
import java.util.Optional;

/**
 * Where the memory activities read an ArkMemory's Secret key ({@code REDIS_URL}, {@code
 * VECTOR_STORE_API_KEY}) from: the worker's own access, never the workflow. {@code ark agent} reads
 * the key its pod has as environment variable ({@link #ENV}, mapped by the operator from the
 * Secret), {@code ark dev} from its Kubernetes API, {@code ark run} from the file.
 */
@FunctionalInterface
public interface MemorySecrets {
  /** Environment variable of an agent pod holding its ArkMemory's Secret key. */
  String ENV = "ARK_MEMORY_SECRET";

  /**
   * Environment variable naming the Secret key in {@link #ENV}: {@code <namespace>/<name>/<key>}.
   */
  String REF_ENV = "ARK_MEMORY_SECRET_REF";

  /** A worker that reads no Secrets. */
  MemorySecrets NONE = ref -> Optional.empty();

  /** The value of {@code ref}, empty when this worker cannot read it. */
  Optional<String> value(SecretRef ref);

  /** An agent pod's memory Secret: the one key its Deployment maps into {@link #ENV}. */
  static MemorySecrets fromEnvironment(Map<String, String> env) {
    return ref -> {
      String value = env.get(ENV);
      String mounted = env.getOrDefault(REF_ENV, "");
      if (value == null || !mounted.equals(ref.namespace() + "/" + ref.name() + "/" + ref.key())) {
        return Optional.empty();
      }
      return Optional.of(value);
    };
  }
}
