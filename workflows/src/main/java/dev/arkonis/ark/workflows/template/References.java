package dev.arkonis.ark.workflows.template;

import dev.arkonis.ark.workflows.template.Ast.Expr;
import dev.arkonis.ark.workflows.template.Ast.Node;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Static analysis: the field chains a template reads from the root data, in order of appearance.
 *
 * <p>A chain is root when it starts from {@code $}, or from dot where dot is still the root
 * (outside {@code range} and {@code with} bodies). {@code index <root chain> "k1" "k2"} with string
 * literal keys extends the chain, so {@code index .steps "my-step" "output"} reads [steps, my-step,
 * output]. A bare root dot or {@code $} is the empty chain (the whole data is read).
 */
final class References {
  private final Set<List<String>> chains = new LinkedHashSet<>();

  private References() {}

  static Set<List<String>> of(List<Node> nodes) {
    References r = new References();
    r.nodes(nodes, true);
    return Collections.unmodifiableSet(r.chains);
  }

  static Set<List<String>> of(Ast.Pipe pipe) {
    References r = new References();
    r.pipe(pipe, true);
    return Collections.unmodifiableSet(r.chains);
  }

  private void nodes(List<Node> nodes, boolean rootDot) {
    for (Node node : nodes) {
      if (node instanceof Ast.Action a) {
        pipe(a.pipe(), rootDot);
      } else if (node instanceof Ast.If i) {
        pipe(i.pipe(), rootDot);
        nodes(i.body(), rootDot);
        nodes(i.elseBody(), rootDot);
      } else if (node instanceof Ast.With w) {
        pipe(w.pipe(), rootDot);
        nodes(w.body(), false);
        nodes(w.elseBody(), rootDot);
      } else if (node instanceof Ast.Range r) {
        pipe(r.pipe(), rootDot);
        nodes(r.body(), false);
        nodes(r.elseBody(), rootDot);
      }
    }
  }

  private void pipe(Ast.Pipe pipe, boolean rootDot) {
    for (int i = 0; i < pipe.commands().size(); i++) {
      List<Expr> operands = pipe.commands().get(i).operands();
      List<String> indexed = i == 0 ? indexChain(operands, rootDot) : null;
      if (indexed != null) {
        chains.add(indexed);
        continue;
      }
      for (Expr e : operands) {
        expr(e, rootDot);
      }
    }
  }

  private void expr(Expr e, boolean rootDot) {
    List<String> chain = rootChain(e, rootDot);
    if (chain != null) {
      chains.add(chain);
    } else if (e instanceof Ast.Chain c) {
      pipe(c.operand().pipe(), rootDot);
    } else if (e instanceof Ast.Paren p) {
      pipe(p.pipe(), rootDot);
    }
  }

  /** The root chain an operand reads, or null if it reads none (or not only one). */
  private List<String> rootChain(Expr e, boolean rootDot) {
    if (e instanceof Ast.Field f) {
      return rootDot ? f.names() : null;
    } else if (e instanceof Ast.Dot) {
      return rootDot ? List.of() : null;
    } else if (e instanceof Ast.Variable v) {
      return v.name().equals("$") ? v.fields() : null;
    } else if (e instanceof Ast.Paren p) {
      List<Ast.Command> commands = p.pipe().commands();
      if (commands.size() != 1 || !p.pipe().decl().isEmpty()) {
        return null;
      }
      List<Expr> operands = commands.get(0).operands();
      return operands.size() == 1
          ? rootChain(operands.get(0), rootDot)
          : indexChain(operands, rootDot);
    } else if (e instanceof Ast.Chain c) {
      List<String> base = rootChain(c.operand(), rootDot);
      return base == null ? null : concat(base, c.fields());
    }
    return null;
  }

  /** {@code index <root chain> "a" "b"} as one chain, or null. */
  private List<String> indexChain(List<Expr> operands, boolean rootDot) {
    if (operands.size() < 2
        || !(operands.get(0) instanceof Ast.Function f)
        || !f.name().equals("index")) {
      return null;
    }
    List<String> keys = new ArrayList<>();
    for (Expr key : operands.subList(2, operands.size())) {
      if (!(key instanceof Ast.Literal l) || !(l.value() instanceof String s)) {
        return null;
      }
      keys.add(s);
    }
    List<String> base = rootChain(operands.get(1), rootDot);
    return base == null ? null : concat(base, keys);
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return List.copyOf(all);
  }
}
