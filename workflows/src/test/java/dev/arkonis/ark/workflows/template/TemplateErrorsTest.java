package dev.arkonis.ark.workflows.template;

import static dev.arkonis.ark.workflows.template.TestData.assertFails;
import static dev.arkonis.ark.workflows.template.TestData.list;
import static dev.arkonis.ark.workflows.template.TestData.map;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Parse and execution errors: message, line and column. Each row: template => line => column =>
 * message.
 */
class TemplateErrorsTest {

  static final Map<String, Object> DATA =
      map("list", list("a", "b"), "s", "abc", "n", 3, "m", map("k", "v"));

  @ParameterizedTest
  @CsvSource(
      delimiterString = "=>",
      quoteCharacter = '~',
      textBlock =
          """
          {{ foo .x }}                    => 1 => 4  => function "foo" not defined
          x {{ .a | bar }}                => 1 => 11 => function "bar" not defined
          Hello {{ .name                  => 1 => 7  => unclosed action
          {{ if .a }}yes                  => 1 => 1  => missing {{end}} for {{if}}
          {{ range .a }}{{ with .b }}{{ end }} => 1 => 1 => missing {{end}} for {{range}}
          {{ if .a }}x{{ else }}y         => 1 => 1  => missing {{end}} for {{if}}
          x{{ end }}                      => 1 => 2  => unexpected {{end}}
          {{ else }}                      => 1 => 1  => unexpected {{else}}
          {{ if .a }}{{ else }}{{ else }}{{ end }} => 1 => 22 => expected {{end}}; found {{else}}
          {{ range .a }}{{ else if .b }}{{ end }} => 1 => 23 => unexpected "if" in else
          {{ if true }}{{ end extra }}    => 1 => 21 => unexpected "extra" in end
          {{ join "," }}                  => 1 => 4  => wrong number of args for join: want 2 got 1
          {{ "," | join "," .l }}         => 1 => 10 => wrong number of args for join: want 2 got 3
          {{ eq .a }}                     => 1 => 4  => wrong number of args for eq: want at least 2 got 1
          {{ printf "%v" len }}           => 1 => 16 => wrong number of args for len: want 1 got 0
          {{ upper }}                     => 1 => 4  => wrong number of args for upper: want 1 got 0
          {{ .steps.<roleName>.output }}  => 1 => 11 => bad character U+003C '<'
          {{ .input.* }}                  => 1 => 11 => bad character U+002A '*'
          {{ "abc }}                      => 1 => 4  => unterminated quoted string
          {{ `abc }}                      => 1 => 4  => unterminated raw quoted string
          {{ "\\q" }}                     => 1 => 5  => unknown escape sequence \\q
          {{ 0x }}                        => 1 => 4  => bad number syntax: "0x"
          {{ 12abc }}                     => 1 => 4  => bad number syntax: "12a"
          {{ 99999999999999999999 }}      => 1 => 4  => bad number syntax: "99999999999999999999"
          {{ $x }}                        => 1 => 4  => undefined variable "$x"
          {{ $x = 1 }}                    => 1 => 4  => undefined variable "$x"
          {{ if true }}{{ $y := 1 }}{{ end }}{{ $y }} => 1 => 39 => undefined variable "$y"
          {{ $a, $b := .list }}           => 1 => 6  => too many declarations in command
          {{ (.a }}                       => 1 => 4  => unclosed left paren
          {{ print ($x := 1) }}           => 1 => 14 => declaration not allowed in parenthesized pipeline
          {{ .a ) }}                      => 1 => 7  => unexpected right paren
          {{ }}                           => 1 => 4  => missing value for command
          {{ if }}{{ end }}               => 1 => 7  => missing value for if
          {{ .a | }}                      => 1 => 9  => missing value for command
          {{ .a | .b }}                   => 1 => 9  => non executable command in pipeline stage 2
          {{ .a .b }}                     => 1 => 4  => can't give argument to non-function .a
          {{ "x" 1 }}                     => 1 => 4  => can't give argument to non-function "x"
          {{ nil }}                       => 1 => 4  => nil is not a command
          {{ "s".x }}                     => 1 => 7  => unexpected .x after term "s"
          {{ .a if }}                     => 1 => 7  => unexpected "if" in operand
          {{ .a = 1 }}                    => 1 => 7  => unexpected "=" in operand
          {{ .a : 1 }}                    => 1 => 7  => expected :=
          {{ .a # }}                      => 1 => 7  => unrecognized character in action: U+0023 '#'
          {{ (1)"x" }}                    => 1 => 7  => unexpected "x" in operand
          {{/* unclosed                   => 1 => 1  => unclosed comment
          {{/* c */ x }}                  => 1 => 1  => comment ends before closing delimiter
          {{ template "x" }}              => 1 => 4  => {{template}} is not supported
          {{ define "x" }}{{ end }}       => 1 => 4  => {{define}} is not supported
          {{ break }}                     => 1 => 1  => {{break}} outside {{range}}
          {{ range .l }}{{ else }}{{ continue }}{{ end }} => 1 => 25 => {{continue}} outside {{range}}
          """)
  void parseErrors(String template, int line, int column, String message) {
    assertFails(template, DATA, line, column, message);
  }

  @ParameterizedTest
  @CsvSource(
      delimiterString = "=>",
      quoteCharacter = '~',
      textBlock =
          """
          {{ index .list 5 }}             => 1 => 4  => error calling index: index out of range: 5
          {{ index .list -1 }}            => 1 => 4  => error calling index: index out of range: -1
          {{ index .list "a" }}           => 1 => 4  => error calling index: cannot index slice/array with type string
          {{ index .m 1 }}                => 1 => 4  => error calling index: value has type int; should be string
          {{ index .n 1 }}                => 1 => 4  => error calling index: can't index item of type int
          {{ lt 1 "a" }}                  => 1 => 4  => error calling lt: incompatible types for comparison
          {{ gt true false }}             => 1 => 4  => error calling gt: invalid type for comparison
          {{ le .missing 1 }}             => 1 => 4  => error calling le: invalid type for comparison
          {{ eq 1 "1" }}                  => 1 => 4  => error calling eq: incompatible types for comparison
          {{ eq .list .list }}            => 1 => 4  => error calling eq: non-comparable types []interface {} and []interface {}
          {{ ne .m "x" }}                 => 1 => 4  => error calling ne: non-comparable types map[string]interface {} and string
          {{ len 3 }}                     => 1 => 4  => error calling len: len of type int
          {{ if true }}{{ len .n }}{{ end }} => 1 => 17 => error calling len: len of type int
          {{ indent "x" .s }}             => 1 => 4  => error calling indent: wrong type for value; expected int; got string
          {{ trunc 1.5 .s }}              => 1 => 4  => error calling trunc: wrong type for value; expected int; got float64
          {{ indent -1 .s }}              => 1 => 4  => error calling indent: negative indent -1
          {{ range .s }}{{ end }}         => 1 => 1  => range can't iterate over abc
          {{ range $i, $v := 3 }}{{ end }} => 1 => 1 => can't use 3 to iterate over more than one variable
          """)
  void executionErrors(String template, int line, int column, String message) {
    assertFails(template, DATA, line, column, message);
  }

  @Test
  void runawayTemplatesStopWithAnError() {
    assertFails(
        "{{ range 2000000 }}{{ end }}",
        DATA,
        1,
        1,
        "range exceeds 1000000 iterations in one execution");
    assertFails(
        "{{ range 1000 }}{{ printf \"%10000s\" \"\" }}{{ end }}",
        DATA, 1, 17, "output exceeds 8388608 characters");
  }

  @Test
  void nestingIsLimited() {
    String deep = "{{ " + "(".repeat(300) + "1" + ")".repeat(300) + " }}";
    assertFails(deep, DATA, 1, 204, "template nested too deeply");
    StringBuilder ifs = new StringBuilder();
    for (int i = 0; i < 300; i++) {
      ifs.append("{{if 1}}");
    }
    assertFails(ifs.toString(), DATA, 1, 1601, "template nested too deeply");
  }

  @Test
  void positionsCountLinesAndColumns() {
    assertFails(
        "line one\nline two\n  {{ .a | nope }}", DATA, 3, 11, "function \"nope\" not defined");
    assertFails("a\n{{ if .x }}\n{{ .y ) }}\n{{ end }}", DATA, 3, 7, "unexpected right paren");
    assertFails(
        "a\n\n{{ range .list }}\n  {{ index . 2 }}\n{{ end }}",
        DATA,
        4,
        6,
        "error calling index: index out of range: 2");
    assertFails(
        "{{ .steps.my-step.output }}",
        DATA,
        1,
        13,
        "bad character U+002D '-' (a key that is not an identifier needs index, e.g. index .steps"
            + " \"my-step\")");
  }
}
