package dev.sluice.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class BadTemplatesTest {

  static Stream<Path> badFixtures() {
    return Fixtures.files("bad");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badFixtures")
  void load_badFixture_reportsExactlyTheExpectedErrors(Path file) {
    List<String> expected = Fixtures.header(Fixtures.read(file), "error");

    TemplateException e = catchThrowableOfType(TemplateException.class, () -> Fixtures.load(file));

    assertThat(expected).as("fixture declares its errors").isNotEmpty();
    assertThat(e).as("template is rejected").isNotNull();
    assertThat(e.errors()).extracting(TemplateError::toString).containsExactlyElementsOf(expected);
    assertThat(e.getMessage()).isEqualTo(String.join("\n", expected));
  }
}
