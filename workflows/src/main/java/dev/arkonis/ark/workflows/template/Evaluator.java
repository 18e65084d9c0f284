package dev.arkonis.ark.workflows.template;

import dev.arkonis.ark.workflows.template.Ast.Expr;
import dev.arkonis.ark.workflows.template.Ast.Node;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/** Executes a parsed template against data; one instance per execution, never shared. */
final class Evaluator {
  private enum Flow {
    NORMAL,
    BREAK,
    CONTINUE
  }

  /** Limits that stop a runaway template from stalling a workflow task or exhausting memory. */
  static final int MAX_OUTPUT_CHARS = 8 * 1024 * 1024;

  static final long MAX_RANGE_ITERATIONS = 1_000_000;

  private final StringBuilder out = new StringBuilder();
  private long iterations;
  private final List<String> varNames = new ArrayList<>();
  private final List<Object> varValues = new ArrayList<>();

  private Evaluator(Object root) {
    push("$", root);
  }

  static String render(List<Node> nodes, Object root) {
    Evaluator e = new Evaluator(root);
    e.walk(nodes, root);
    return e.out.toString();
  }

  static Object evaluate(Ast.Pipe pipe, Object root) {
    return new Evaluator(root).pipe(pipe, root);
  }

  private void push(String name, Object value) {
    varNames.add(name);
    varValues.add(value);
  }

  private void pop(int mark) {
    while (varNames.size() > mark) {
      varNames.remove(varNames.size() - 1);
      varValues.remove(varValues.size() - 1);
    }
  }

  private int find(String name) {
    for (int i = varNames.size() - 1; i >= 0; i--) {
      if (varNames.get(i).equals(name)) {
        return i;
      }
    }
    throw new IllegalStateException("parser admitted undefined variable " + name);
  }

  private Flow walk(List<Node> nodes, Object dot) {
    for (Node node : nodes) {
      Flow flow = walk(node, dot);
      if (flow != Flow.NORMAL) {
        return flow;
      }
    }
    return Flow.NORMAL;
  }

  private Flow walk(Node node, Object dot) {
    if (node instanceof Ast.Text t) {
      out.append(t.text());
    } else if (node instanceof Ast.Action a) {
      Object value = pipe(a.pipe(), dot);
      if (a.pipe().decl().isEmpty()) {
        out.append(Values.text(value));
        checkOutput(a.pos());
      }
    } else if (node instanceof Ast.If i) {
      int mark = varNames.size();
      boolean truth = Values.truth(pipe(i.pipe(), dot));
      Flow flow = walk(truth ? i.body() : i.elseBody(), dot);
      pop(mark);
      return flow;
    } else if (node instanceof Ast.With w) {
      int mark = varNames.size();
      Object value = pipe(w.pipe(), dot);
      Flow flow = Values.truth(value) ? walk(w.body(), value) : walk(w.elseBody(), dot);
      pop(mark);
      return flow;
    } else if (node instanceof Ast.Range r) {
      int mark = varNames.size();
      Flow flow = range(r, dot);
      pop(mark);
      return flow;
    } else if (node instanceof Ast.Break) {
      return Flow.BREAK;
    } else if (node instanceof Ast.Continue) {
      return Flow.CONTINUE;
    }
    return Flow.NORMAL;
  }

  private Flow range(Ast.Range r, Object dot) {
    Object value = pipe(r.pipe(), dot);
    int mark = varNames.size();
    long count = 0;
    switch (Values.kind(value)) {
      case NIL:
        break;
      case LIST:
        for (Object e : (Collection<?>) value) {
          if (iteration(r, mark, count++, e) == Flow.BREAK) {
            break;
          }
        }
        break;
      case MAP:
        {
          Map<?, ?> map = (Map<?, ?>) value;
          for (Object k : Values.sortedKeys(map)) {
            count++;
            if (iteration(r, mark, k, map.get(k)) == Flow.BREAK) {
              break;
            }
          }
          break;
        }
      case INT:
        {
          if (r.pipe().decl().size() > 1) {
            throw new TemplateException(
                r.pos(),
                "can't use " + Values.text(value) + " to iterate over more than one variable");
          }
          long n = ((Number) value).longValue();
          for (; count < n; count++) {
            if (iteration(r, mark, count, count) == Flow.BREAK) {
              count++;
              break;
            }
          }
          break;
        }
      default:
        throw new TemplateException(r.pos(), "range can't iterate over " + Values.text(value));
    }
    return count == 0 ? walk(r.elseBody(), dot) : Flow.NORMAL;
  }

  private void checkOutput(Ast.Pos pos) {
    if (out.length() > MAX_OUTPUT_CHARS) {
      throw new TemplateException(pos, "output exceeds " + MAX_OUTPUT_CHARS + " characters");
    }
  }

  private Flow iteration(Ast.Range r, int mark, Object key, Object elem) {
    if (++iterations > MAX_RANGE_ITERATIONS) {
      throw new TemplateException(
          r.pos(), "range exceeds " + MAX_RANGE_ITERATIONS + " iterations in one execution");
    }
    checkOutput(r.pos());
    List<String> decl = r.pipe().decl();
    if (decl.size() == 1) {
      setVar(r.pipe().assign(), decl.get(0), mark - 1, elem);
    } else if (decl.size() == 2) {
      setVar(r.pipe().assign(), decl.get(0), mark - 2, key);
      setVar(r.pipe().assign(), decl.get(1), mark - 1, elem);
    }
    Flow flow = walk(r.body(), elem);
    pop(mark);
    return flow;
  }

  private void setVar(boolean assign, String name, int declaredAt, Object value) {
    varValues.set(assign ? find(name) : declaredAt, value);
  }

  private Object pipe(Ast.Pipe pipe, Object dot) {
    Object value = null;
    List<Ast.Command> commands = pipe.commands();
    for (int i = 0; i < commands.size(); i++) {
      value = command(commands.get(i), dot, i > 0, value);
    }
    for (String name : pipe.decl()) {
      if (pipe.assign()) {
        varValues.set(find(name), value);
      } else {
        push(name, value);
      }
    }
    return value;
  }

  private Object command(Ast.Command cmd, Object dot, boolean piped, Object final_) {
    Expr first = cmd.operands().get(0);
    if (first instanceof Ast.Function f) {
      return call(f, cmd.operands().subList(1, cmd.operands().size()), dot, piped, final_);
    }
    return arg(first, dot);
  }

  private Object arg(Expr e, Object dot) {
    if (e instanceof Ast.Dot) {
      return dot;
    } else if (e instanceof Ast.Nil) {
      return null;
    } else if (e instanceof Ast.Literal l) {
      return l.value();
    } else if (e instanceof Ast.Field f) {
      return fields(dot, f.names());
    } else if (e instanceof Ast.Variable v) {
      return fields(varValues.get(find(v.name())), v.fields());
    } else if (e instanceof Ast.Chain c) {
      return fields(pipe(c.operand().pipe(), dot), c.fields());
    } else if (e instanceof Ast.Paren p) {
      return pipe(p.pipe(), dot);
    } else {
      return call((Ast.Function) e, List.of(), dot, false, null);
    }
  }

  /** Walks map keys; a missing key or a step into something that is not a map gives null. */
  private static Object fields(Object value, List<String> names) {
    Object v = value;
    for (String name : names) {
      if (!(v instanceof Map<?, ?> m)) {
        return null;
      }
      v = m.get(name);
    }
    return v;
  }

  private Object call(
      Ast.Function f, List<Expr> argExprs, Object dot, boolean piped, Object final_) {
    String name = f.name();
    if (name.equals("and") || name.equals("or")) {
      boolean and = name.equals("and");
      Object v = null;
      int n = argExprs.size() + (piped ? 1 : 0);
      for (int i = 0; i < n; i++) {
        v = i < argExprs.size() ? arg(argExprs.get(i), dot) : final_;
        if (Values.truth(v) != and) {
          return v;
        }
      }
      return v;
    }
    List<Object> args = new ArrayList<>(argExprs.size() + 1);
    for (Expr e : argExprs) {
      args.add(arg(e, dot));
    }
    if (piped) {
      args.add(final_);
    }
    try {
      return Functions.call(name, args);
    } catch (TemplateException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new TemplateException(f.pos(), "error calling " + name + ": " + e.getMessage());
    }
  }
}
