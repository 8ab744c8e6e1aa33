// The k-of-W alarm filter (spec §2.3, values reconstructed): an alarm is raised when at least k of the
// last W predictions of the same host were abnormal. It trades a little lead time for fewer false
// alarms. k = W = 1 (or alarmFilter: false) passes every abnormal prediction through.

export interface AlarmFilterState {
  ring: number[];
  next: number;
  count: number;
}

export class AlarmFilter {
  private readonly ring: Uint8Array;
  private next = 0;
  private count = 0;

  constructor(
    private readonly k: number,
    w: number,
  ) {
    this.ring = new Uint8Array(w);
  }

  /** Records one prediction and returns whether the alarm is raised. */
  push(abnormal: boolean): boolean {
    this.count += (abnormal ? 1 : 0) - this.ring[this.next]!;
    this.ring[this.next] = abnormal ? 1 : 0;
    this.next = (this.next + 1) % this.ring.length;
    return this.count >= this.k;
  }

  get raised(): boolean {
    return this.count >= this.k;
  }

  toJSON(): AlarmFilterState {
    return { ring: [...this.ring], next: this.next, count: this.count };
  }

  static fromJSON(k: number, s: AlarmFilterState): AlarmFilter {
    const f = new AlarmFilter(k, s.ring.length);
    f.ring.set(s.ring);
    f.next = s.next;
    f.count = s.count;
    return f;
  }
}
