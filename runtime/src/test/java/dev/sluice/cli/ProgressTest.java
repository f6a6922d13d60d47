package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProgressTest {

  @Test
  void interactive_launcherSaysWhetherStderrIsATerminal_thatDecides() {
    assertThat(Progress.interactive("true")).isTrue();
    assertThat(Progress.interactive("false")).isFalse();
  }
}
