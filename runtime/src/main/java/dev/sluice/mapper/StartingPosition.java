package dev.sluice.mapper;

/** Where a new mapping starts reading its stream. */
public enum StartingPosition {
  /** The oldest record still stored. */
  TRIM_HORIZON,
  /** Only records written after the mapping was created. */
  LATEST,
  /** The first record that arrived at or after StartingPositionTimestamp. */
  AT_TIMESTAMP
}
