package dev.sluice.template;

import java.util.Map;

/**
 * What a template is resolved against: the pseudo parameters and the parameter values the user
 * chose.
 *
 * @param region AWS::Region, also used in ARNs
 * @param accountId AWS::AccountId, also used in ARNs
 * @param stackName AWS::StackName
 * @param parameterOverrides parameter values that replace the defaults; null means none
 */
public record TemplateContext(
    String region, String accountId, String stackName, Map<String, String> parameterOverrides) {

  /** Copies the overrides so later changes by the caller don't leak in. */
  public TemplateContext {
    parameterOverrides = parameterOverrides == null ? Map.of() : Map.copyOf(parameterOverrides);
  }
}
