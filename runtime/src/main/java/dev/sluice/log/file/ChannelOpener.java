package dev.sluice.log.file;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;

/** Opens segment log files; tests substitute channels that fail on purpose. */
@FunctionalInterface
interface ChannelOpener {

  ChannelOpener DEFAULT = FileChannel::open;

  FileChannel open(Path path, OpenOption... options) throws IOException;
}
