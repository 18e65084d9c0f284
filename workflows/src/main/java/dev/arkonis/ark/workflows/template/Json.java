package dev.arkonis.ark.workflows.template;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;

/** Sprig's toJson, toPrettyJson and fromJson, writing JSON the way Go's encoding/json does. */
final class Json {
  /** Immutable and thread-safe; reads any JSON value into maps, lists, strings and numbers. */
  private static final ObjectReader READER =
      new ObjectMapper()
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .readerFor(Object.class);

  private Json() {}

  /** Parses JSON; like Sprig, returns null (no error) when the text is not JSON. */
  static Object read(String text) {
    try {
      return READER.readValue(text);
    } catch (JacksonException e) {
      return null;
    }
  }

  /**
   * Writes JSON with sorted map keys and Go's number format; like Sprig, returns "" when the value
   * cannot be encoded (NaN or infinite numbers).
   */
  static String write(Object value, boolean pretty) {
    StringBuilder sb = new StringBuilder();
    return append(sb, value, pretty ? "\n" : null) ? sb.toString() : "";
  }

  private static boolean append(StringBuilder sb, Object v, String indent) {
    switch (Values.kind(v)) {
      case NIL:
        sb.append("null");
        return true;
      case BOOL:
        sb.append(v);
        return true;
      case INT:
      case FLOAT:
        {
          String n = Numbers.json((Number) v);
          sb.append(n);
          return n != null;
        }
      case LIST:
        {
          Collection<?> list = (Collection<?>) v;
          sb.append('[');
          String inner = indent == null ? null : indent + "  ";
          boolean first = true;
          for (Object item : list) {
            sb.append(first ? "" : ",");
            first = false;
            newline(sb, inner);
            if (!append(sb, item, inner)) {
              return false;
            }
          }
          if (!list.isEmpty()) {
            newline(sb, indent);
          }
          sb.append(']');
          return true;
        }
      case MAP:
        {
          Map<?, ?> map = (Map<?, ?>) v;
          sb.append('{');
          String inner = indent == null ? null : indent + "  ";
          boolean first = true;
          for (Object key : Values.sortedKeys(map)) {
            sb.append(first ? "" : ",");
            first = false;
            newline(sb, inner);
            string(sb, String.valueOf(key));
            sb.append(indent == null ? ":" : ": ");
            if (!append(sb, map.get(key), inner)) {
              return false;
            }
          }
          if (!map.isEmpty()) {
            newline(sb, indent);
          }
          sb.append('}');
          return true;
        }
      default:
        string(sb, v.toString());
        return true;
    }
  }

  private static void newline(StringBuilder sb, String indent) {
    if (indent != null) {
      sb.append(indent);
    }
  }

  /** A JSON string as Go writes it, but without Go's HTML escaping of {@code < > &}. */
  private static void string(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        case '\u2028', '\u2029' -> sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
        default -> {
          if (c < 0x20) {
            sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }
}
