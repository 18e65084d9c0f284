package dev.arkonis.ark.workflows.template;

import dev.arkonis.ark.workflows.template.Ast.Expr;
import dev.arkonis.ark.workflows.template.Ast.Node;
import dev.arkonis.ark.workflows.template.Token.Kind;
import java.util.ArrayList;
import java.util.List;

/** Recursive-descent parser from tokens to {@link Ast}, following Go's text/template/parse. */
final class Parser {
  private static final int MAX_DEPTH = 200;

  private final List<Token> tokens;
  private final List<String> vars = new ArrayList<>(List.of("$"));
  private int index;
  private int depth;
  private int rangeDepth;

  private Parser(List<Token> tokens) {
    this.tokens = tokens;
  }

  /** Parses a whole template. */
  static List<Node> template(String src) {
    Parser p = new Parser(Lexer.template(src));
    Body body = p.itemList();
    if (body.end() != null) {
      throw error(body.delim(), "unexpected {{" + body.end().text() + "}}");
    }
    return body.nodes();
  }

  /** Parses a bare pipeline expression, such as a condition without delimiters. */
  static Ast.Pipe expression(String src) {
    Parser p = new Parser(Lexer.expression(src));
    Ast.Pipe pipe = p.pipeline("condition");
    p.skipSpaces();
    Token t = p.next();
    if (!t.is(Kind.EOF)) {
      throw unexpected(t, "condition");
    }
    return pipe;
  }

  /** A parsed list of nodes and the {@code end} or {@code else} keyword that stopped it, if any. */
  private record Body(List<Node> nodes, Token end, Token delim) {}

  private static TemplateException error(Token t, String problem) {
    return new TemplateException(t.pos(), problem);
  }

  private static TemplateException unexpected(Token t, String context) {
    if (t.is(Kind.RIGHT_PAREN)) {
      return error(t, "unexpected right paren");
    }
    return error(t, "unexpected " + t.describe() + " in " + context);
  }

  private Token peek() {
    return tokens.get(index);
  }

  private Token next() {
    Token t = tokens.get(index);
    if (!t.is(Kind.EOF)) {
      index++;
    }
    return t;
  }

  private void skipSpaces() {
    while (peek().is(Kind.SPACE)) {
      index++;
    }
  }

  private Token peekNonSpace() {
    skipSpaces();
    return peek();
  }

  private void enter(Token at) {
    if (++depth > MAX_DEPTH) {
      throw error(at, "template nested too deeply");
    }
  }

  private void expectRightDelim(String context) {
    skipSpaces();
    Token t = next();
    if (!t.is(Kind.RIGHT_DELIM)) {
      throw unexpected(t, context);
    }
  }

  private Body itemList() {
    List<Node> nodes = new ArrayList<>();
    while (true) {
      Token t = next();
      if (t.is(Kind.TEXT)) {
        nodes.add(new Ast.Text(t.text()));
        continue;
      }
      if (t.is(Kind.EOF)) {
        return new Body(List.copyOf(nodes), null, t);
      }
      Token k = peekNonSpace();
      if (!k.is(Kind.KEYWORD)) {
        Ast.Pipe pipe = pipeline("command");
        expectRightDelim("command");
        nodes.add(new Ast.Action(t.pos(), pipe));
        continue;
      }
      next();
      switch (k.text()) {
        case "end", "else" -> {
          return new Body(List.copyOf(nodes), k, t);
        }
        case "if", "with", "range" -> nodes.add(control(k.text(), t));
        case "break", "continue" -> {
          if (rangeDepth == 0) {
            throw error(t, "{{" + k.text() + "}} outside {{range}}");
          }
          expectRightDelim(k.text());
          nodes.add(k.text().equals("break") ? new Ast.Break(t.pos()) : new Ast.Continue(t.pos()));
        }
        default -> throw error(k, "{{" + k.text() + "}} is not supported");
      }
    }
  }

  private Node control(String kind, Token delim) {
    enter(delim);
    int mark = vars.size();
    Ast.Pipe pipe = pipeline(kind);
    expectRightDelim(kind);
    int afterDecl = vars.size();
    boolean range = kind.equals("range");
    rangeDepth += range ? 1 : 0;
    Body body = itemList();
    rangeDepth -= range ? 1 : 0;
    truncateVars(afterDecl);
    if (body.end() == null) {
      throw error(delim, "missing {{end}} for {{" + kind + "}}");
    }
    List<Node> elseBody = List.of();
    if (body.end().text().equals("else")) {
      Token t = peekNonSpace();
      if (!range && t.isKeyword(kind)) {
        next();
        elseBody = List.of(control(kind, body.delim()));
      } else {
        expectRightDelim("else");
        Body rest = itemList();
        if (rest.end() == null) {
          throw error(delim, "missing {{end}} for {{" + kind + "}}");
        }
        if (rest.end().text().equals("else")) {
          throw error(rest.delim(), "expected {{end}}; found {{else}}");
        }
        expectRightDelim("end");
        elseBody = rest.nodes();
      }
    } else {
      expectRightDelim("end");
    }
    truncateVars(mark);
    depth--;
    return switch (kind) {
      case "if" -> new Ast.If(delim.pos(), pipe, body.nodes(), elseBody);
      case "with" -> new Ast.With(delim.pos(), pipe, body.nodes(), elseBody);
      default -> new Ast.Range(delim.pos(), pipe, body.nodes(), elseBody);
    };
  }

  private void truncateVars(int size) {
    while (vars.size() > size) {
      vars.remove(vars.size() - 1);
    }
  }

  private Ast.Pipe pipeline(String context) {
    Token start = peekNonSpace();
    List<String> decl = new ArrayList<>();
    boolean assign = false;
    if (start.is(Kind.VARIABLE)) {
      int save = index;
      next();
      Token op = peekNonSpace();
      if (op.is(Kind.COMMA)) {
        if (!context.equals("range")) {
          throw error(op, "too many declarations in " + context);
        }
        next();
        Token second = peekNonSpace();
        if (!second.is(Kind.VARIABLE)) {
          throw error(second, "expected a variable after \",\" in range");
        }
        next();
        op = peekNonSpace();
        if (!op.is(Kind.DECLARE) && !op.is(Kind.ASSIGN)) {
          throw error(op, "expected := or = after " + second.text());
        }
        decl = List.of(start.text(), second.text());
      } else if (op.is(Kind.DECLARE) || op.is(Kind.ASSIGN)) {
        decl = List.of(start.text());
      }
      if (decl.isEmpty()) {
        index = save;
      } else if (context.equals("parenthesized pipeline")) {
        throw error(op, "declaration not allowed in parenthesized pipeline");
      } else {
        next();
        assign = op.is(Kind.ASSIGN);
        if (assign) {
          for (String name : decl) {
            if (!vars.contains(name)) {
              throw error(start, "undefined variable \"" + name + "\"");
            }
          }
        }
      }
    }
    Token first = peekNonSpace();
    if (first.is(Kind.RIGHT_DELIM) || first.is(Kind.RIGHT_PAREN) || first.is(Kind.EOF)) {
      throw error(first, "missing value for " + context);
    }
    List<Ast.Command> commands = new ArrayList<>();
    while (true) {
      commands.add(command(commands.size()));
      if (!peekNonSpace().is(Kind.PIPE)) {
        break;
      }
      next();
    }
    if (!assign) {
      vars.addAll(decl);
    }
    return new Ast.Pipe(start.pos(), List.copyOf(decl), assign, List.copyOf(commands));
  }

  private Ast.Command command(int stage) {
    List<Expr> operands = new ArrayList<>();
    while (true) {
      Token t = peekNonSpace();
      if (t.is(Kind.PIPE) || t.is(Kind.RIGHT_DELIM) || t.is(Kind.RIGHT_PAREN) || t.is(Kind.EOF)) {
        if (operands.isEmpty()) {
          throw error(t, "missing value for command");
        }
        break;
      }
      operands.add(operand());
      Token after = peek();
      if (!(after.is(Kind.SPACE)
          || after.is(Kind.PIPE)
          || after.is(Kind.RIGHT_DELIM)
          || after.is(Kind.RIGHT_PAREN)
          || after.is(Kind.EOF))) {
        throw unexpected(after, "operand");
      }
    }
    Expr first = operands.get(0);
    int given = operands.size() - 1 + (stage > 0 ? 1 : 0);
    if (first instanceof Ast.Function f) {
      Functions.checkArity(f, given);
    } else if (stage > 0) {
      throw new TemplateException(
          first.pos(), "non executable command in pipeline stage " + (stage + 1));
    } else if (given > 0) {
      throw new TemplateException(
          first.pos(), "can't give argument to non-function " + Ast.describe(first));
    } else if (first instanceof Ast.Nil) {
      throw new TemplateException(first.pos(), "nil is not a command");
    }
    for (Expr e : operands.subList(1, operands.size())) {
      if (e instanceof Ast.Function f) {
        Functions.checkArity(f, 0);
      }
    }
    return new Ast.Command(first.pos(), List.copyOf(operands));
  }

  private Expr operand() {
    Token start = peek();
    Expr term = term();
    if (term == null) {
      throw unexpected(start, "operand");
    }
    if (!peek().is(Kind.FIELD)) {
      return term;
    }
    Token firstField = peek();
    List<String> fields = new ArrayList<>();
    while (peek().is(Kind.FIELD)) {
      fields.add(next().text());
    }
    if (term instanceof Ast.Field f) {
      List<String> names = new ArrayList<>(f.names());
      names.addAll(fields);
      return new Ast.Field(f.pos(), List.copyOf(names));
    } else if (term instanceof Ast.Variable v) {
      return new Ast.Variable(v.pos(), v.name(), List.copyOf(fields));
    } else if (term instanceof Ast.Paren p) {
      return new Ast.Chain(p.pos(), p, List.copyOf(fields));
    }
    throw error(firstField, "unexpected ." + fields.get(0) + " after term " + Ast.describe(term));
  }

  private Expr term() {
    Token t = peek();
    switch (t.kind()) {
      case IDENTIFIER:
        if (!Functions.exists(t.text())) {
          throw error(t, "function \"" + t.text() + "\" not defined");
        }
        next();
        return new Ast.Function(t.pos(), t.text());
      case DOT:
        next();
        return new Ast.Dot(t.pos());
      case NIL:
        next();
        return new Ast.Nil(t.pos());
      case VARIABLE:
        if (!vars.contains(t.text())) {
          throw error(t, "undefined variable \"" + t.text() + "\"");
        }
        next();
        return new Ast.Variable(t.pos(), t.text(), List.of());
      case FIELD:
        next();
        return new Ast.Field(t.pos(), List.of(t.text()));
      case BOOL:
      case NUMBER:
      case STRING:
      case CHAR:
        next();
        return new Ast.Literal(t.pos(), t.value(), t.text());
      case LEFT_PAREN:
        {
          next();
          enter(t);
          Ast.Pipe pipe = pipeline("parenthesized pipeline");
          Token close = peekNonSpace();
          if (!close.is(Kind.RIGHT_PAREN)) {
            throw error(t, "unclosed left paren");
          }
          next();
          depth--;
          return new Ast.Paren(t.pos(), pipe);
        }
      default:
        return null;
    }
  }
}
