package dev.arkonis.ark.workflows.template;

import static dev.arkonis.ark.workflows.template.TestData.list;
import static dev.arkonis.ark.workflows.template.TestData.map;
import static dev.arkonis.ark.workflows.template.TestData.render;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every built-in function. Each row: template => expected output. */
class TemplateFunctionsTest {

  static final Map<String, Object> DATA =
      map(
          "s",
          "hello",
          "blank",
          "",
          "zero",
          0,
          "long",
          3L,
          "double",
          3.0,
          "half",
          2.5,
          "big",
          1_000_000.0,
          "flag",
          true,
          "list",
          list("a", "b", "c"),
          "mixed",
          list("a", null, 1, 2.5),
          "empty",
          list(),
          "map",
          map("b", 2, "a", 1, "c", 3),
          "json",
          "{\"name\": \"ark\", \"tags\": [\"x\", \"y\"], \"n\": 2}",
          "nothing",
          null);

  private static void check(String template, String expected) {
    assertThat(render(template, DATA)).as(template).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource(
      delimiterString = "=>",
      quoteCharacter = '~',
      textBlock =
          """
          {{ default "x" .missing }}            => x
          {{ default "x" .blank }}              => x
          {{ default "x" .zero }}               => x
          {{ default "x" .empty }}              => x
          {{ default "x" false }}               => x
          {{ default "x" .s }}                  => hello
          {{ default "x" .long }}               => 3
          {{ .missing | default "piped" }}      => piped
          {{ default "only" }}                  => only
          """)
  void defaultReturnsTheFallbackForEmptyValues(String template, String expected) {
    check(template, expected);
  }

  @ParameterizedTest
  @CsvSource(
      delimiterString = "=>",
      quoteCharacter = '~',
      textBlock =
          """
          {{ printf "%s and %v" "a" 1 }}                    => a and 1
          {{ printf "%d" 42 }}                              => 42
          {{ printf "%d" .double }}                         => 3
          {{ printf "%d" .big }}                            => 1000000
          {{ printf "%d" .half }}                           => %!d(float64=2.5)
          {{ printf "%d" "x" }}                             => %!d(string=x)
          {{ printf "%d" .nothing }}                        => %!d(<nil>)
          {{ printf "%5d|%-5d|%05d|%+d|% d" 42 42 42 42 42 }} => ~   42|42   |00042|+42| 42~
          {{ printf "%05d" -42 }}                           => -0042
          {{ printf "%q" "a\\"b\\n" }}                      => "a\\"b\\n"
          {{ printf "%q" 65 }}                              => 'A'
          {{ printf "%f|%.2f|%.0f|%8.3f" 3.14159 3.14159 2.5 3.14159 }} => ~3.141590|3.14|2|   3.142~
          {{ printf "%.2f %.2f %.1f" 0.125 1.005 2.25 }}    => 0.12 1.00 2.2
          {{ printf "%.2f" 1 }}                             => 1.00
          {{ printf "%.1f" -0.04 }}                         => -0.0
          {{ printf "%x %X %x %#x %o %b" 255 255 "hi" 255 8 5 }} => ff FF 6869 0xff 10 101
          {{ printf "%e %E" 123456.789 0.0 }}               => 1.234568e+05 0.000000E+00
          {{ printf "%g %g %g %.3g" 1000000.0 0.5 100000 3.14159 }} => 1e+06 0.5 100000 3.14
          {{ printf "%c%c" 72 105 }}                        => Hi
          {{ printf "%t %t" true .flag }}                   => true true
          {{ printf "[%5s|%-5s|%.2s]" "ab" "ab" "abc" }}    => [   ab|ab   |ab]
          {{ printf "%v %v %v" .list .map .big }}           => [a b c] map[a:1 b:2 c:3] 1000000
          {{ printf "%s|%s|%v" 5 .nothing .nothing }}       => 5||
          {{ printf "100%%" }}                              => 100%
          {{ printf "%d" }}                                 => %!d(MISSING)
          {{ printf "hi" 1 "x" }}                           => hi%!(EXTRA int=1, string=x)
          {{ printf "%z" 1 }}                               => %!z(int=1)
          {{ printf "50%" }}                                => 50%!(NOVERB)
          {{ printf "%s=%d" "n" .long | printf "<%s>" }}    => <n=3>
          """)
  void printf(String template, String expected) {
    check(template, expected);
  }

  @ParameterizedTest
  @CsvSource(
      delimiterString = "=>",
      quoteCharacter = '~',
      textBlock =
          """
          {{ print "a" 1 2 "b" }}               => a1 2b
          {{ print 1 2 }}                       => 1 2
          {{ print }}                           => ~~
          {{ print .nothing "x" }}              => x
          {{ toString 5 | printf "%q" }}        => "5"
          {{ toString .nothing | printf "%q" }} => ~""~
          {{ toString .list }}                  => [a b c]
          {{ int 3.9 }} {{ int -3.9 }}          => 3 -3
          {{ int "42" }} {{ int "-7" }}         => 42 -7
          {{ int "12.00" }} {{ int "0x1F" }}    => 12 31
          {{ int "abc" }} {{ int "3.5" }}       => 0 0
          {{ int true }} {{ int .nothing }}     => 1 0
          {{ int .big }}                        => 1000000
          {{ float64 "1.5" }} {{ float64 3 }}   => 1.5 3
          {{ float64 "x" }} {{ float64 "1e3" }} => 0 1000
          {{ printf "%.1f" (float64 "2.25") }}  => 2.2
          {{ len "hello" }} {{ len "héllo" }}   => 5 6
          {{ len .list }} {{ len .map }}        => 3 3
          {{ len .empty }} {{ len .missing }}   => 0 0
          {{ index .list 1 }}                   => b
          {{ index .map "c" }}                  => 3
          {{ index .map "zz" }}                 => ~~
          {{ index .missing "a" 0 }}            => ~~
          {{ index "abc" 1 }}                   => 98
          {{ index .list }}                     => [a b c]
          {{ index (fromJson .json) "tags" 1 }} => y
          {{ upper "straße" }} {{ lower "ÀB" }} => STRAßE àb
          {{ trim "  \\t x y \\n" }}            => x y
          {{ .s | upper }}                      => HELLO
          """)
  void conversionsAndCollections(String template, String expected) {
    check(template, expected);
  }

  @ParameterizedTest
  @CsvSource(
      delimiterString = "=>",
      quoteCharacter = '~',
      textBlock =
          """
          {{ eq 1 1 }} {{ eq 1 2 }}                       => true false
          {{ eq .long .double }} {{ eq 3 3.0 }}           => true true
          {{ eq "a" "a" }} {{ eq "a" "b" }}               => true false
          {{ eq "b" "a" "c" "b" }}                        => true
          {{ eq .missing nil }} {{ eq .missing "x" }}     => true false
          {{ eq true .flag }} {{ eq 2.5 .half }}          => true true
          {{ ne 1 2 }} {{ ne "a" "a" }}                   => true false
          {{ lt 1 2 }} {{ lt 2 1 }} {{ lt 2.5 3 }}        => true false true
          {{ lt "a" "b" }} {{ lt "b" "a" }}               => true false
          {{ le 2 2 }} {{ le 3 2 }}                       => true false
          {{ gt 3 2.5 }} {{ gt 2 2 }}                     => true false
          {{ ge "b" "b" }} {{ ge 1 2 }}                   => true false
          {{ and 1 "x" }}|{{ and 0 "x" }}|{{ and .flag }} => x|0|true
          {{ or 0 "" "y" }}|{{ or 0 "" }}|{{ or .s 1 }}   => y||hello
          {{ and false (len 5) }} {{ or true (len 5) }}   => false true
          {{ not .flag }} {{ not "" }} {{ not .empty }}   => false true true
          {{ empty "" }} {{ empty 0 }} {{ empty .empty }} => true true true
          {{ empty "x" }} {{ empty .map }} {{ empty nil }} => false false true
          {{ coalesce .missing .blank .zero "z" }}        => z
          {{ coalesce "" 0 "x" "y" }}|{{ coalesce }}      => x|
          """)
  void comparisonsAndLogic(String template, String expected) {
    check(template, expected);
  }

  @ParameterizedTest
  @CsvSource(
      delimiterString = "=>",
      quoteCharacter = '~',
      textBlock =
          """
          {{ contains "ell" .s }} {{ contains "x" .s }}   => true false
          {{ .s | contains "lo" }}                        => true
          {{ hasPrefix "he" .s }} {{ hasPrefix "lo" .s }} => true false
          {{ hasSuffix "lo" .s }} {{ hasSuffix "he" .s }} => true false
          {{ join ", " .list }}                           => a, b, c
          {{ join "-" .mixed }}                           => a-1-2.5
          {{ join "-" .s }}|{{ join "-" .missing }}       => hello|
          {{ .list | join "+" }}                          => a+b+c
          {{ quote "a\\"b" }}                             => "a\\"b"
          {{ quote "a" 1 .nothing }}                      => "a" "1"
          {{ quote "tab\\tnl\\nbell\\a\\x01é" }}          => "tab\\tnl\\nbell\\a\\x01é"
          {{ replace "a" "o" "banana" }}                  => bonono
          {{ "x-y-z" | replace "-" "_" }}                 => x_y_z
          {{ replace "" "." "ab" }}                       => .a.b.
          {{ trunc 3 "abcdef" }} {{ trunc -2 "abcdef" }}  => abc ef
          {{ trunc 10 "abc" }} {{ trunc 0 "abc" }}|       => abc |
          {{ trunc 2 "héllo" }} {{ trunc 3 "héllo" }}     => h hé
          {{ .s | trunc 4 }}                              => hell
          """)
  void strings(String template, String expected) {
    check(template, expected);
  }

  @Test
  void functionsProducingNewlines() {
    check("{{ println \"a\" 1 }}", "a 1\n");
    check("{{ indent 2 \"a\\nb\" }}", "  a\n  b");
    check("{{ nindent 4 \"x\" }}", "\n    x");
    check("{{ \"line1\\nline2\" | indent 1 }}", " line1\n line2");
    check("spec:{{ toJson .map | nindent 2 }}", "spec:\n  {\"a\":1,\"b\":2,\"c\":3}");
  }

  @Test
  void toJsonWritesSortedKeysAndGoNumbers() {
    Map<String, Object> data =
        map(
            "v",
            map(
                "b",
                list(1, 2.5, 3.0, 1e21, 1.5e-7, new BigDecimal("4.50")),
                "a",
                "x\"y<z>\n\u0001",
                "c",
                null,
                "d",
                true));
    assertThat(render("{{ toJson .v }}", data))
        .isEqualTo(
            "{\"a\":\"x\\\"y<z>\\n\\u0001\",\"b\":[1,2.5,3,1e+21,1.5e-7,4.5],\"c\":null,\"d\":true}");
    assertThat(render("{{ .v.a | toJson }}", data)).isEqualTo("\"x\\\"y<z>\\n\\u0001\"");
    assertThat(render("{{ toJson .missing }}|{{ toJson 5 }}|{{ toJson .e }}", map("e", list())))
        .isEqualTo("null|5|[]");
    assertThat(render("{{ toJson .n }}", map("n", Double.NaN))).isEmpty();
  }

  @Test
  void toPrettyJson() {
    assertThat(render("{{ toPrettyJson .v }}", map("v", map("b", list(1, map()), "a", "x"))))
        .isEqualTo("{\n  \"a\": \"x\",\n  \"b\": [\n    1,\n    {}\n  ]\n}");
  }

  @Test
  void fromJsonParsesAnyJsonValueAndGivesNilForInvalidText() {
    assertThat(render("{{ (fromJson .json).name }} {{ len (fromJson .json).tags }}", DATA))
        .isEqualTo("ark 2");
    assertThat(render("{{ fromJson \"[1, 2.5, true]\" }}", DATA)).isEqualTo("[1 2.5 true]");
    assertThat(render("{{ toJson (fromJson .json) }}", DATA))
        .isEqualTo("{\"n\":2,\"name\":\"ark\",\"tags\":[\"x\",\"y\"]}");
    assertThat(render("[{{ fromJson \"{not json\" }}][{{ fromJson \"1 2\" }}]", DATA))
        .isEqualTo("[][]");
    assertThat(render("{{ with fromJson .json }}{{ .name }}{{ end }}", DATA)).isEqualTo("ark");
  }
}
