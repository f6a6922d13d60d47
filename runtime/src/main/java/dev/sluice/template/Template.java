package dev.sluice.template;

import java.nio.file.Path;
import java.util.List;

/**
 * A resolved template: what Sluice deploys from it.
 *
 * @param file the template file as the user named it
 * @param baseDir the directory relative code paths were resolved against
 * @param streams the Kinesis streams, in template order
 * @param functions the functions, in template order
 * @param warnings things in the template that Sluice ignores, one line each
 * @param stackName AWS::StackName, which a deploy marks the resources it makes with
 */
public record Template(
    String file,
    Path baseDir,
    List<StreamResource> streams,
    List<FunctionResource> functions,
    List<String> warnings,
    String stackName) {}
