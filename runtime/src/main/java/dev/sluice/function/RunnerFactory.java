package dev.sluice.function;

/** Makes the runner of a function version, for one isolation mode. */
public interface RunnerFactory {

  /** A runner for {@code config} over {@code code}. */
  Runner create(FunctionConfig config, DeployedCode code);
}
