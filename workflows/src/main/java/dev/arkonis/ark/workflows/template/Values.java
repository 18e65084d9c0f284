package dev.arkonis.ark.workflows.template;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/** Go semantics for the template data model: truth, text, equality and ordering. */
final class Values {
  private Values() {}

  /** An error raised by a function or comparison; the evaluator adds the position and name. */
  static final class Failure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Failure(String message) {
      super(message, null, false, false);
    }
  }

  enum Kind {
    NIL,
    BOOL,
    INT,
    FLOAT,
    STRING,
    LIST,
    MAP,
    OTHER
  }

  static Kind kind(Object v) {
    if (v == null) {
      return Kind.NIL;
    } else if (v instanceof Boolean) {
      return Kind.BOOL;
    } else if (Numbers.isIntegerKind(v)) {
      return Kind.INT;
    } else if (v instanceof Number) {
      return Kind.FLOAT;
    } else if (v instanceof CharSequence) {
      return Kind.STRING;
    } else if (v instanceof Collection) {
      return Kind.LIST;
    } else if (v instanceof Map) {
      return Kind.MAP;
    }
    return Kind.OTHER;
  }

  /** Go's truth: false, 0, nil and empty strings, lists and maps are false. */
  static boolean truth(Object v) {
    switch (kind(v)) {
      case NIL:
        return false;
      case BOOL:
        return (Boolean) v;
      case INT:
      case FLOAT:
        return Numbers.isSpecial((Number) v) || Numbers.toBigDecimal((Number) v).signum() != 0;
      case STRING:
        return ((CharSequence) v).length() > 0;
      case LIST:
        return !((Collection<?>) v).isEmpty();
      case MAP:
        return !((Map<?, ?>) v).isEmpty();
      default:
        return true;
    }
  }

  /** The text of a value as an action prints it: like Go's %v, but nil is the empty string. */
  static String text(Object v) {
    return v == null ? "" : goString(v);
  }

  /**
   * Go's %v: lists as {@code [a b]}, maps as {@code map[k:v]} in key order, nil inside them as
   * {@code <nil>}.
   */
  static String goString(Object v) {
    switch (kind(v)) {
      case NIL:
        return "<nil>";
      case INT:
      case FLOAT:
        return Numbers.format((Number) v);
      case LIST:
        {
          StringBuilder sb = new StringBuilder("[");
          for (Object e : (Collection<?>) v) {
            if (sb.length() > 1) {
              sb.append(' ');
            }
            sb.append(goString(e));
          }
          return sb.append(']').toString();
        }
      case MAP:
        {
          Map<?, ?> m = (Map<?, ?>) v;
          StringBuilder sb = new StringBuilder("map[");
          for (Object k : sortedKeys(m)) {
            if (sb.length() > 4) {
              sb.append(' ');
            }
            sb.append(goString(k)).append(':').append(goString(m.get(k)));
          }
          return sb.append(']').toString();
        }
      default:
        return v.toString();
    }
  }

  /** Go's type name of a value, as printf shows it in {@code %!d(string=x)}. */
  static String typeName(Object v) {
    switch (kind(v)) {
      case NIL:
        return "<nil>";
      case BOOL:
        return "bool";
      case INT:
        return v instanceof BigInteger ? "*big.Int" : "int";
      case FLOAT:
        return v instanceof Float ? "float32" : "float64";
      case STRING:
        return "string";
      case LIST:
        return "[]interface {}";
      case MAP:
        return "map[string]interface {}";
      default:
        return v.getClass().getSimpleName();
    }
  }

  /** Map keys sorted as Go sorts string keys (by code point). */
  static List<Object> sortedKeys(Map<?, ?> m) {
    List<Object> keys = new ArrayList<>(m.keySet());
    keys.sort((a, b) -> compareStrings(String.valueOf(a), String.valueOf(b)));
    return keys;
  }

  /** Compares strings by code point, the order of Go's byte-wise comparison of UTF-8. */
  static int compareStrings(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Boolean.compare(i < a.length(), j < b.length());
  }

  private static boolean isBasic(Kind k) {
    return k == Kind.BOOL || k == Kind.INT || k == Kind.FLOAT || k == Kind.STRING;
  }

  private static boolean isNumber(Kind k) {
    return k == Kind.INT || k == Kind.FLOAT;
  }

  /**
   * Go's {@code eq} for two values: nil equals only nil, numbers compare by value across Java
   * types, and other kinds must match.
   */
  static boolean equal(Object a, Object b) {
    Kind ka = kind(a);
    Kind kb = kind(b);
    if (ka == Kind.NIL || kb == Kind.NIL) {
      return ka == kb;
    }
    if (isNumber(ka) && isNumber(kb)) {
      return Numbers.compare((Number) a, (Number) b) == 0;
    }
    if (!isBasic(ka) || !isBasic(kb)) {
      throw new Failure("non-comparable types " + typeName(a) + " and " + typeName(b));
    }
    if (ka != kb) {
      throw new Failure("incompatible types for comparison");
    }
    return ka == Kind.STRING ? a.toString().equals(b.toString()) : a.equals(b);
  }

  /** Go's ordering for {@code lt} and friends: numbers or strings only. */
  static int compare(Object a, Object b) {
    Kind ka = kind(a);
    Kind kb = kind(b);
    if (!(isNumber(ka) || ka == Kind.STRING) || !(isNumber(kb) || kb == Kind.STRING)) {
      throw new Failure("invalid type for comparison");
    }
    if (isNumber(ka) && isNumber(kb)) {
      return Numbers.compare((Number) a, (Number) b);
    }
    if (ka != kb) {
      throw new Failure("incompatible types for comparison");
    }
    return compareStrings(a.toString(), b.toString());
  }
}
