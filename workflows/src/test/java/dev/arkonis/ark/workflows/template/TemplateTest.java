package dev.arkonis.ark.workflows.template;

import static dev.arkonis.ark.workflows.template.TestData.list;
import static dev.arkonis.ark.workflows.template.TestData.map;
import static dev.arkonis.ark.workflows.template.TestData.render;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Syntax and semantics of the template language. */
class TemplateTest {

  static final Map<String, Object> DATA =
      map(
          "name",
          "Ada",
          "empty",
          "",
          "zero",
          0,
          "items",
          list("a", "b", "c"),
          "none",
          list(),
          "scores",
          map("zed", 3, "amy", 1, "bob", 2),
          "nested",
          map("inner", map("value", "deep")),
          "flag",
          true,
          "nothing",
          null);

  @Test
  void textWithoutActionsIsUnchanged() {
    assertThat(render("plain {text} with } braces {", DATA))
        .isEqualTo("plain {text} with } braces {");
    assertThat(render("", DATA)).isEmpty();
  }

  @Test
  void fieldsDotAndRoot() {
    assertThat(render("{{ .name }}/{{.nested.inner.value}}", DATA)).isEqualTo("Ada/deep");
    assertThat(render("{{ $.nested.inner.value }}", DATA)).isEqualTo("deep");
    assertThat(render("{{ with .nested }}{{ .inner.value }}{{ end }}", DATA)).isEqualTo("deep");
    assertThat(render("{{ . }}", map("a", 1))).isEqualTo("map[a:1]");
    assertThat(render("{{ $ }}", map("a", 1))).isEqualTo("map[a:1]");
  }

  @Test
  void missingFieldsAndNullRenderEmpty() {
    assertThat(render("[{{ .missing }}][{{ .nested.nope.deeper }}][{{ .nothing }}]", DATA))
        .isEqualTo("[][][]");
    assertThat(render("[{{ .name.length }}][{{ .items.first }}]", DATA)).isEqualTo("[][]");
    assertThat(render("[{{ .a }}]", null)).isEqualTo("[]");
  }

  static Stream<Arguments> values() {
    return Stream.of(
        Arguments.of("text", "text"),
        Arguments.of(true, "true"),
        Arguments.of(42, "42"),
        Arguments.of(-7L, "-7"),
        Arguments.of(3.0, "3"),
        Arguments.of(2.5, "2.5"),
        Arguments.of(0.1, "0.1"),
        Arguments.of(1_000_000.0, "1000000"),
        Arguments.of(1234567.25, "1234567.25"),
        Arguments.of(1e21, "1e+21"),
        Arguments.of(0.00001, "1e-05"),
        Arguments.of(0.0001, "0.0001"),
        Arguments.of(1.5f, "1.5"),
        Arguments.of(new BigDecimal("12.50"), "12.5"),
        Arguments.of(
            new BigInteger("123456789012345678901234567890"), "123456789012345678901234567890"),
        Arguments.of(Double.NaN, "NaN"),
        Arguments.of(Double.NEGATIVE_INFINITY, "-Inf"),
        Arguments.of(list("a", 1, null, list(true)), "[a 1 <nil> [true]]"),
        Arguments.of(map("b", 2, "a", "x", "c", map("d", null)), "map[a:x b:2 c:map[d:<nil>]]"));
  }

  @ParameterizedTest
  @MethodSource("values")
  void valuesPrintLikeGo(Object value, String expected) {
    assertThat(render("{{ .v }}", map("v", value))).isEqualTo(expected);
  }

  @Test
  void trimMarkers() {
    assertThat(render("a  \n {{- .name -}} \n  b", DATA)).isEqualTo("aAdab");
    assertThat(render("a {{- .name }} b", DATA)).isEqualTo("aAda b");
    assertThat(render("a {{ .name -}} b", DATA)).isEqualTo("a Adab");
    assertThat(render("{{-3}}", DATA)).isEqualTo("-3");
    assertThat(render("x\n{{- if .flag }}\n  yes\n{{- end }}\n", DATA)).isEqualTo("x\n  yes\n");
    assertThat(render("{{ range .items -}}\n  {{ . }}\n{{ end -}}", DATA)).isEqualTo("a\nb\nc\n");
  }

  @Test
  void comments() {
    assertThat(render("a{{/* a comment */}}b", DATA)).isEqualTo("ab");
    assertThat(render("a{{/* multi\nline {{ .name }} */}}b", DATA)).isEqualTo("ab");
    assertThat(render("a \n{{- /* trimmed */ -}}\n b", DATA)).isEqualTo("ab");
    assertThat(render("a {{/* kept */}} b", DATA)).isEqualTo("a  b");
  }

  @Test
  void ifElseIfElse() {
    String t =
        "{{ if eq .n 1 }}one{{ else if eq .n 2 }}two{{ else if gt .n 9 }}big{{ else }}other{{ end }}";
    assertThat(render(t, map("n", 1))).isEqualTo("one");
    assertThat(render(t, map("n", 2))).isEqualTo("two");
    assertThat(render(t, map("n", 10))).isEqualTo("big");
    assertThat(render(t, map("n", 5))).isEqualTo("other");
    assertThat(render("{{ if .missing }}yes{{ end }}", DATA)).isEmpty();
    assertThat(render("{{if .flag}}{{if .name}}both{{end}}{{end}}", DATA)).isEqualTo("both");
  }

  @Test
  void rangeOverList() {
    assertThat(render("{{ range .items }}<{{ . }}>{{ end }}", DATA)).isEqualTo("<a><b><c>");
    assertThat(render("{{ range $i, $v := .items }}{{ $i }}={{ $v }} {{ end }}", DATA))
        .isEqualTo("0=a 1=b 2=c ");
    assertThat(render("{{ range $v := .items }}{{ $v }}{{ end }}", DATA)).isEqualTo("abc");
    assertThat(render("{{ range .items }}{{ $.name }}:{{ . }} {{ end }}", DATA))
        .isEqualTo("Ada:a Ada:b Ada:c ");
  }

  @Test
  void rangeOverMapInKeyOrder() {
    assertThat(render("{{ range $k, $v := .scores }}{{ $k }}={{ $v }};{{ end }}", DATA))
        .isEqualTo("amy=1;bob=2;zed=3;");
    assertThat(render("{{ range .scores }}{{ . }}{{ end }}", DATA)).isEqualTo("123");
  }

  @Test
  void rangeElse() {
    String t = "{{ range .v }}[{{ . }}]{{ else }}none for {{ .name }}{{ end }}";
    assertThat(render(t, map("v", list(), "name", "x"))).isEqualTo("none for x");
    assertThat(render(t, map("v", map(), "name", "x"))).isEqualTo("none for x");
    assertThat(render(t, map("name", "x"))).isEqualTo("none for x");
    assertThat(render(t, map("v", list(1), "name", "x"))).isEqualTo("[1]");
  }

  @Test
  void rangeOverIntegerBreakAndContinue() {
    assertThat(render("{{ range 3 }}{{ . }}{{ end }}", DATA)).isEqualTo("012");
    assertThat(render("{{ range $i := 0 }}x{{ else }}empty{{ end }}", DATA)).isEqualTo("empty");
    assertThat(
            render(
                "{{ range .items }}{{ if eq . \"b\" }}{{ continue }}{{ end }}{{ . }}{{ end }}",
                DATA))
        .isEqualTo("ac");
    assertThat(
            render(
                "{{ range .items }}{{ if eq . \"b\" }}{{ break }}{{ end }}{{ . }}{{ end }}", DATA))
        .isEqualTo("a");
  }

  @Test
  void withAndElse() {
    String t = "{{ with .nested.inner }}{{ .value }}{{ else }}no {{ .name }}{{ end }}";
    assertThat(render(t, DATA)).isEqualTo("deep");
    assertThat(render(t, map("name", "x"))).isEqualTo("no x");
    assertThat(
            render(
                "{{ with .a }}a={{ . }}{{ else with .b }}b={{ . }}{{ else }}none{{ end }}",
                map("b", 2)))
        .isEqualTo("b=2");
    assertThat(render("{{ with $x := .name }}{{ $x }}{{ . }}{{ end }}", DATA)).isEqualTo("AdaAda");
  }

  @Test
  void variables() {
    assertThat(render("{{ $x := .name }}{{ $x }}-{{ $x = \"Bob\" }}{{ $x }}", DATA))
        .isEqualTo("Ada-Bob");
    assertThat(
            render(
                "{{ $found := false }}{{ range .items }}{{ if eq . \"b\" }}{{ $found = true }}{{ end }}"
                    + "{{ end }}{{ $found }}",
                DATA))
        .isEqualTo("true");
    assertThat(render("{{ $x := 1 }}{{ if true }}{{ $x := 2 }}{{ $x }}{{ end }}{{ $x }}", DATA))
        .isEqualTo("21");
    assertThat(render("{{ $n := .nested }}{{ $n.inner.value }}", DATA)).isEqualTo("deep");
    assertThat(render("{{ if $v := .name }}{{ $v }}{{ else }}{{ $v }}!{{ end }}", map("name", "")))
        .isEqualTo("!");
  }

  @Test
  void pipelinesPassTheValueAsLastArgument() {
    assertThat(render("{{ .name | upper | printf \"<%s>\" }}", DATA)).isEqualTo("<ADA>");
    assertThat(render("{{ \"x\" | printf \"%s-%s\" \"y\" }}", DATA)).isEqualTo("y-x");
    assertThat(render("{{ .missing | default \"fallback\" }}", DATA)).isEqualTo("fallback");
  }

  @Test
  void nestedParentheses() {
    assertThat(
            render(
                "{{ printf \"%s-%s\" (upper (trim .s)) (lower (printf \"%s%d\" (.t) (len (index .l 1)))) }}",
                map("s", "  ab ", "t", "X", "l", list("", "four"))))
        .isEqualTo("AB-x4");
    assertThat(render("{{ (fromJson .j).a.b }}", map("j", "{\"a\":{\"b\":\"c\"}}"))).isEqualTo("c");
    assertThat(render("{{ ((.nested).inner).value }}", DATA)).isEqualTo("deep");
  }

  @Test
  void literals() {
    assertThat(
            render(
                "{{ 42 }} {{ -1 }} {{ +7 }} {{ 0x1F }} {{ 0o17 }} {{ 017 }} {{ 0b101 }} {{ 1_000 }}",
                DATA))
        .isEqualTo("42 -1 7 31 15 15 5 1000");
    assertThat(render("{{ 1.5 }} {{ .25 }} {{ 1e3 }} {{ 2. }} {{ 0x1p-2 }}", DATA))
        .isEqualTo("1.5 0.25 1000 2 0.25");
    assertThat(render("{{ 'a' }} {{ '\\n' }} {{ '\\'' }} {{ 'é' }}", DATA))
        .isEqualTo("97 10 39 233");
    assertThat(render("{{ true }} {{ false }} {{ default \"d\" nil }}", DATA))
        .isEqualTo("true false d");
  }

  @Test
  void stringEscapes() {
    assertThat(render("{{ \"tab\\there\\nquote\\\" back\\\\slash\" }}", DATA))
        .isEqualTo("tab\there\nquote\" back\\slash");
    assertThat(render("{{ \"\\u00e9\\U0001F600\\x41\\101\\a\\v\" }}", DATA))
        .isEqualTo("é\uD83D\uDE00AA\u0007\u000B");
    assertThat(render("{{ \"\\xc3\\xa9\" }}", DATA)).isEqualTo("é");
    assertThat(render("{{ `raw \\n {{ not an action }} \"q\"` }}", DATA))
        .isEqualTo("raw \\n {{ not an action }} \"q\"");
    assertThat(render("{{ `multi\nline` }}", DATA)).isEqualTo("multi\nline");
    assertThat(render("{{ \"}}\" }}", DATA)).isEqualTo("}}");
  }

  @Test
  void actionsMaySpanLines() {
    assertThat(render("{{\n  printf \"%s!\"\n    .name\n}}", DATA)).isEqualTo("Ada!");
  }

  @Test
  void keysThatAreNotIdentifiersUseIndex() {
    Map<String, Object> data = map("steps", map("my-step", map("output", "done")));
    assertThat(render("{{ index .steps \"my-step\" \"output\" }}", data)).isEqualTo("done");
  }

  @Test
  void declarationsPrintNothing() {
    assertThat(render("a{{ $x := 5 }}b{{ $x = 6 }}c", DATA)).isEqualTo("abc");
  }

  @Test
  void parsedTemplateIsReusableWithDifferentData() {
    Template t = Template.parse("Hello {{ .who }}");
    assertThat(t.render(map("who", "a"))).isEqualTo("Hello a");
    assertThat(t.render(map("who", "b"))).isEqualTo("Hello b");
    assertThat(t.source()).isEqualTo("Hello {{ .who }}");
  }

  @Test
  void renderingDoesNotModifyData() {
    Map<String, Object> data = map("l", list(3, 1, 2), "m", map("b", 1, "a", 2));
    render("{{ range .m }}{{ end }}{{ toJson . }}{{ $x := .l }}", data);
    assertThat(data).isEqualTo(map("l", list(3, 1, 2), "m", map("b", 1, "a", 2)));
  }

  @Test
  void isTemplate() {
    assertThat(Template.isTemplate("{{ .x }}")).isTrue();
    assertThat(Template.isTemplate("a {{")).isTrue();
    assertThat(Template.isTemplate("plain { text }")).isFalse();
    assertThat(Template.isTemplate(null)).isFalse();
  }
}
