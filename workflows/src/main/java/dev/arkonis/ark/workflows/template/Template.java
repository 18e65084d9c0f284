package dev.arkonis.ark.workflows.template;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A parsed template in the subset of Go's {@code text/template} syntax (plus a few Sprig functions)
 * that ark manifests use, e.g. {@code {{ .input.topic }}}, {@code {{ .steps.x.output | default
 * "none" }}}, {@code {{ range $i, $p := .steps.r.data.points }}...{{ end }}}.
 *
 * <p>Supported: text and actions with trim markers (<code>&#123;&#123;- </code> and <code>
 * -&#125;&#125;</code>) and comments (<code>&#123;&#123;/* ... *&#47;&#125;&#125;</code>); field
 * chains, {@code .}, {@code $}, variables ({@code :=}, {@code =}); string, raw string, character,
 * number, boolean and {@code nil} literals; pipelines and parenthesised pipelines; {@code
 * if}/{@code else if}/{@code else}, {@code range} (lists, maps in key order, integers; {@code
 * else}, {@code break}, {@code continue}), {@code with}/{@code else with}/{@code else}; the
 * functions {@code and or not eq ne lt le gt ge len index print printf println default empty
 * coalesce toJson toPrettyJson fromJson int float64 toString upper lower trim contains hasPrefix
 * hasSuffix join quote indent nindent replace trunc}. {@code define}, {@code template} and {@code
 * block} are not supported.
 *
 * <p>Data is made of {@code Map<String, ?>}, {@code List<?>}, {@code String}, {@code Number},
 * {@code Boolean} and {@code null}. A missing key, or a field of something that is not a map, is
 * {@code null}, which prints as the empty string.
 *
 * <p>Instances are immutable and thread-safe; parsing and rendering are pure and deterministic (no
 * I/O, clock, randomness or shared mutable state), so they are safe in Temporal workflow code.
 */
public final class Template {
  private final String source;
  private final List<Ast.Node> nodes;
  private final Set<List<String>> references;

  private Template(String source, List<Ast.Node> nodes) {
    this.source = source;
    this.nodes = nodes;
    this.references = References.of(nodes);
  }

  /**
   * Parses a template.
   *
   * @throws TemplateException with a message {@code "line L, column C: what is wrong"} for syntax
   *     errors, unknown functions, undefined variables and wrong argument counts
   */
  public static Template parse(String source) {
    Objects.requireNonNull(source, "source");
    return new Template(source, Parser.template(source));
  }

  /**
   * True if the string contains an action opener (<code>&#123;&#123;</code>) and so needs
   * rendering.
   */
  public static boolean isTemplate(String s) {
    return s != null && s.contains("{{");
  }

  /**
   * Renders the template with {@code data} (which may be null) as both dot and {@code $}.
   *
   * @throws TemplateException for execution errors, such as a failing function call or {@code
   *     range} over a string, and when a runaway template exceeds 8 MiB of output or one million
   *     {@code range} iterations
   */
  public String render(Map<String, ?> data) {
    return Evaluator.render(nodes, data);
  }

  /**
   * Every field chain read from the root data, in order of first appearance: {@code {{ .input.topic
   * }}} reads [input, topic], {@code {{ $.steps.a.output }}} reads [steps, a, output], {@code {{
   * index .steps "my-step" "output" }}} reads [steps, my-step, output]. Chains that start from the
   * dot inside {@code range} and {@code with} bodies read the rebound dot and are not included, nor
   * are chains through variables (their declaration's chain is). A bare root {@code .} or {@code $}
   * is the empty chain. The set and its lists are unmodifiable.
   */
  public Set<List<String>> references() {
    return references;
  }

  /** The source the template was parsed from. */
  public String source() {
    return source;
  }

  @Override
  public String toString() {
    return source;
  }
}
