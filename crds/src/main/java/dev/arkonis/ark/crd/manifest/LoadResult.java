package dev.arkonis.ark.crd.manifest;

import java.util.List;

/**
 * What a file held: the ark objects, the other Kubernetes objects (ConfigMaps and Secrets a team
 * may refer to), one-line notices about documents that were ignored, and problems that make the
 * file unusable.
 */
public record LoadResult(
    List<Manifest> manifests, List<Manifest> others, List<String> notices, List<Problem> problems) {
  public LoadResult {
    manifests = List.copyOf(manifests);
    others = List.copyOf(others);
    notices = List.copyOf(notices);
    problems = List.copyOf(problems);
  }

  public boolean ok() {
    return problems.isEmpty();
  }
}
