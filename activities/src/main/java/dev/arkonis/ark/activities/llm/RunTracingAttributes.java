package dev.arkonis.ark.activities.llm;

import io.opentelemetry.api.trace.Span;

/** What the chat activity adds to its trace span (a no-op when the run is not traced). */
final class RunTracingAttributes {
  private RunTracingAttributes() {}

  /** The provider the call goes to, as resolved for the agent (GenAI semantic conventions). */
  static void provider(String provider) {
    Span span = Span.current();
    if (span.getSpanContext().isValid()) {
      span.setAttribute("gen_ai.provider.name", provider);
      span.setAttribute("gen_ai.system", provider);
    }
  }
}
