/**
 * Classes compiled against aws-lambda-java-events but never loaded by Sluice's own class loader:
 * {@code FunctionLoader} defines them in each function's loader from Sluice's class files, so they
 * link against the function's copy of the library and build its events with plain bytecode.
 */
package dev.sluice.function.classloader.events;
