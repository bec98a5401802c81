package io.hyperlens.audit.store;

import io.hyperlens.audit.AuditJson;
import io.hyperlens.audit.AuditRecord;
import io.hyperlens.audit.AuditStore;
import io.hyperlens.audit.Checkpoint;
import io.hyperlens.audit.StoredEntry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The default {@link AuditStore}: an append-only file with one JSON object per line, a record
 * ({@link AuditJson#toLine(AuditRecord)}) or a checkpoint ({@code "type":"checkpoint"}). Readable
 * with {@code jq}, {@code grep} and {@code tail -f}.
 *
 * <pre>{@code
 * try (JsonLinesAuditStore store = JsonLinesAuditStore.open(Path.of("audit/audit.jsonl"));
 *     AuditLog log = AuditLog.builder().store(store).signer(signer).build()) {
 *   log.append(entry);
 * }
 * }</pre>
 *
 * <p><b>Durability.</b> Each entry is written with one {@code write} call at the end of the file
 * before {@code append} returns, so it survives the death of the process; the file is forced to
 * disk at every checkpoint and on close ({@link FsyncPolicy#PER_CHECKPOINT}) or after every record
 * ({@link FsyncPolicy#PER_RECORD}). A failed write is cut back off, leaving the file as before.
 *
 * <p><b>Crashes.</b> A process killed mid-write can leave an unfinished last line. Reading reports
 * it as a torn tail ({@link StoredEntry.Damaged#tornTail()}) and everything before it still
 * verifies. Opening the file for writing sets the torn bytes aside in {@code <file>.torn-<millis>}
 * (see {@link #repairedTail()}) and cuts them off, so the chain continues from the last whole
 * record.
 *
 * <p>One writer at a time: opening for writing takes an exclusive lock on the file, and a second
 * writer, in this process or another, is refused. Thread-safe; readers ({@link #entries()}) may run
 * beside the writer and see the entries written before they started.
 */
public final class JsonLinesAuditStore implements AuditStore {
  /** Lines longer than this are damage, not records (a record is at most about 100 KiB). */
  static final int MAX_LINE_BYTES = 1 << 20;

  private static final int TAIL_CHUNK = 64 * 1024;

  /** At most this many lines are read ahead and parsed together. */
  static final int CHUNK_LINES = 512;

  /** A chunk stops growing once its lines hold this many bytes (plus at most one more line). */
  static final int CHUNK_BYTES = 1 << 20;

  /** Chunks with fewer lines are parsed on the reading thread alone. */
  static final int PARALLEL_LINES = 64;

  private final Path file;
  private final FsyncPolicy fsync;
  private final FileChannel channel;
  private final FileLock lock;
  private final Object writeLock = new Object();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final StoredEntry.Damaged repairedTail;
  private volatile long size;
  private volatile AuditRecord lastRecord;
  private volatile Checkpoint lastCheckpoint;

  private JsonLinesAuditStore(Path file, FsyncPolicy fsync, boolean writable) throws IOException {
    this.file = file;
    this.fsync = fsync;
    if (!writable) {
      this.channel = null;
      this.lock = null;
      this.repairedTail = null;
      this.size = -1;
      Tail tail = readTail(file, Files.size(file), false);
      this.lastRecord = tail.record;
      this.lastCheckpoint = tail.checkpoint;
      return;
    }
    if (file.toAbsolutePath().getParent() != null) {
      Files.createDirectories(file.toAbsolutePath().getParent());
    }
    FileChannel ch =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    try {
      FileLock l;
      try {
        l = ch.tryLock();
      } catch (OverlappingFileLockException e) {
        l = null;
      }
      if (l == null) {
        throw new IllegalStateException(
            "audit file " + file + " is already open for writing by another store or process");
      }
      this.channel = ch;
      this.lock = l;
      this.repairedTail = cutTornTail();
      this.size = ch.size();
      Tail tail = readTail(file, size, true);
      this.lastRecord = tail.record;
      this.lastCheckpoint = tail.checkpoint;
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  /**
   * Opens (creating it if needed) {@code file} for appending, forcing it to disk at checkpoints.
   *
   * @throws IllegalStateException if another writer has it open, or its last entries are damaged
   *     (verify it before continuing it)
   * @throws UncheckedIOException if it cannot be opened
   */
  public static JsonLinesAuditStore open(Path file) {
    return open(file, FsyncPolicy.PER_CHECKPOINT);
  }

  /** Opens {@code file} for appending with the given fsync policy; see {@link #open(Path)}. */
  public static JsonLinesAuditStore open(Path file, FsyncPolicy fsync) {
    if (file == null || fsync == null) {
      throw new IllegalArgumentException("file and fsync must not be null");
    }
    try {
      return new JsonLinesAuditStore(file, fsync, true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open audit file " + file, e);
    }
  }

  /**
   * Opens an existing {@code file} to read and verify, changing nothing (a torn tail is reported,
   * not repaired); {@code append} is refused.
   *
   * @throws UncheckedIOException if it cannot be read
   */
  public static JsonLinesAuditStore openReadOnly(Path file) {
    if (file == null) {
      throw new IllegalArgumentException("file must not be null");
    }
    try {
      return new JsonLinesAuditStore(file, FsyncPolicy.PER_CHECKPOINT, false);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open audit file " + file, e);
    }
  }

  /** The file. */
  public Path file() {
    return file;
  }

  /**
   * The unfinished last line that opening for writing found and set aside (in {@code
   * <file>.torn-<millis>}), if there was one.
   */
  public Optional<StoredEntry.Damaged> repairedTail() {
    return Optional.ofNullable(repairedTail);
  }

  @Override
  public void append(AuditRecord record) {
    write(AuditJson.toLine(record), fsync == FsyncPolicy.PER_RECORD);
    lastRecord = record;
  }

  @Override
  public void append(Checkpoint checkpoint) {
    write(AuditJson.toLine(checkpoint), true);
    lastCheckpoint = checkpoint;
  }

  @Override
  public Optional<AuditRecord> lastRecord() {
    return Optional.ofNullable(lastRecord);
  }

  @Override
  public Optional<Checkpoint> lastCheckpoint() {
    return Optional.ofNullable(lastCheckpoint);
  }

  @Override
  public Stream<StoredEntry> entries() {
    FileChannel reader = null;
    try {
      reader = FileChannel.open(file, StandardOpenOption.READ);
      long limit = channel == null ? reader.size() : size;
      LineIterator lines = new LineIterator(reader, limit);
      FileChannel opened = reader;
      return StreamSupport.stream(
              Spliterators.spliteratorUnknownSize(lines, Spliterator.ORDERED | Spliterator.NONNULL),
              false)
          .onClose(
              () -> {
                try {
                  opened.close();
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    } catch (IOException e) {
      if (reader != null) {
        try {
          reader.close();
        } catch (IOException again) {
          e.addSuppressed(again);
        }
      }
      throw new UncheckedIOException("cannot read audit file " + file, e);
    }
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true) || channel == null) {
      return;
    }
    synchronized (writeLock) {
      try {
        channel.force(false);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot sync audit file " + file, e);
      } finally {
        try {
          lock.release();
          channel.close();
        } catch (IOException e) {
          // closing after a successful sync loses nothing
        }
      }
    }
  }

  @Override
  public String toString() {
    return "JsonLinesAuditStore[" + file + ", " + fsync + "]";
  }

  private void write(String line, boolean sync) {
    if (channel == null) {
      throw new IllegalStateException("audit file " + file + " is open read-only");
    }
    byte[] bytes = (line + '\n').getBytes(StandardCharsets.UTF_8);
    synchronized (writeLock) {
      if (closed.get()) {
        throw new IllegalStateException("audit store " + file + " is closed");
      }
      long start = size;
      try {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        long at = start;
        while (buffer.hasRemaining()) {
          at += channel.write(buffer, at);
        }
        if (sync) {
          channel.force(false);
        }
        size = start + bytes.length;
      } catch (IOException e) {
        try {
          channel.truncate(start);
        } catch (IOException again) {
          e.addSuppressed(again);
        }
        throw new UncheckedIOException("cannot append to audit file " + file, e);
      }
    }
  }

  /**
   * Sets aside and cuts off the bytes after the last newline, if any; a whole entry there (only its
   * newline missing) is kept and given its newline.
   */
  private StoredEntry.Damaged cutTornTail() throws IOException {
    long length = channel.size();
    long keep = lastNewlineEnd(channel, length);
    if (keep == length) {
      return null;
    }
    ByteBuffer torn = ByteBuffer.allocate((int) Math.min(length - keep, MAX_LINE_BYTES));
    readFully(channel, torn, keep);
    if (length - keep <= MAX_LINE_BYTES) {
      try {
        parse(torn.array(), 0, torn.limit());
        channel.write(ByteBuffer.wrap(new byte[] {'\n'}), length);
        channel.force(true);
        return null;
      } catch (IllegalArgumentException unfinished) {
        // set aside below
      }
    }
    Path aside = file.resolveSibling(file.getFileName() + ".torn-" + System.currentTimeMillis());
    try (FileChannel copy =
        FileChannel.open(aside, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      copy.write(ByteBuffer.wrap(torn.array(), 0, torn.limit()));
      copy.force(true);
    }
    channel.truncate(keep);
    channel.force(true);
    return new StoredEntry.Damaged(
        -1, "unfinished last line, set aside in " + aside, true, length - keep);
  }

  /** The offset just after the last newline in the first {@code length} bytes (0 if none). */
  private static long lastNewlineEnd(FileChannel ch, long length) throws IOException {
    long end = length;
    ByteBuffer chunk = ByteBuffer.allocate(TAIL_CHUNK);
    while (end > 0) {
      long start = Math.max(0, end - TAIL_CHUNK);
      chunk.clear().limit((int) (end - start));
      readFully(ch, chunk, start);
      for (int i = chunk.limit() - 1; i >= 0; i--) {
        if (chunk.get(i) == '\n') {
          return start + i + 1;
        }
      }
      end = start;
    }
    return 0;
  }

  /** The last record and the last checkpoint, read backwards from {@code length}. */
  private static Tail readTail(Path file, long length, boolean strict) throws IOException {
    Tail tail = new Tail();
    backwards(
        file,
        length,
        (bytes, offset, count) -> {
          if (bytes == null) {
            tail.take(file, "a line over " + MAX_LINE_BYTES + " bytes", strict);
            return true;
          }
          tail.take(file, bytes, offset, count, strict);
          return tail.record == null || tail.checkpoint == null;
        });
    return tail;
  }

  /**
   * Receives lines read backwards; answers whether to go on. A line over {@link #MAX_LINE_BYTES}
   * holds no entry: it comes as null bytes.
   */
  @FunctionalInterface
  private interface LineVisitor {
    boolean visit(byte[] bytes, int offset, int length);
  }

  /**
   * Hands {@code visitor} the non-empty lines of the first {@code length} bytes (up to the last
   * newline), last line first, until it says stop.
   */
  private static void backwards(Path file, long length, LineVisitor visitor) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long end = lastNewlineEnd(ch, length);
      byte[] carry = new byte[0];
      // a line over MAX_LINE_BYTES is no entry (the forward read reports it): skipped whole
      boolean oversized = false;
      ByteBuffer chunk = ByteBuffer.allocate(TAIL_CHUNK);
      while (end > 0) {
        long start = Math.max(0, end - TAIL_CHUNK);
        chunk.clear().limit((int) (end - start));
        readFully(ch, chunk, start);
        byte[] block = new byte[chunk.limit() + carry.length];
        System.arraycopy(chunk.array(), 0, block, 0, chunk.limit());
        System.arraycopy(carry, 0, block, chunk.limit(), carry.length);
        int lineEnd = block.length;
        for (int i = block.length - 1; i >= 0; i--) {
          if (block[i] == '\n') {
            if (!oversized && i + 1 < lineEnd && !visitor.visit(block, i + 1, lineEnd - i - 1)) {
              return;
            }
            oversized = false;
            lineEnd = i;
          }
        }
        if (start == 0) {
          if (!oversized && lineEnd > 0) {
            visitor.visit(block, 0, lineEnd);
          }
          return;
        }
        carry = Arrays.copyOf(block, lineEnd);
        if (carry.length > MAX_LINE_BYTES && !oversized) {
          if (!visitor.visit(null, 0, -1)) {
            return;
          }
          oversized = true;
        }
        if (oversized) {
          carry = new byte[0];
        }
        end = start;
      }
    }
  }

  @Override
  public List<AuditRecord> recordsAfter(long sequence) {
    List<AuditRecord> newestFirst = new ArrayList<>();
    try {
      backwards(
          file,
          channel == null ? Files.size(file) : size,
          (bytes, offset, count) -> {
            if (bytes == null) {
              return true; // an overlong line: the verifier reports it
            }
            Object entry;
            try {
              entry = parse(bytes, offset, count);
            } catch (IllegalArgumentException damaged) {
              return true; // the verifier reports it; the tree continues from sound records
            }
            if (entry instanceof AuditRecord) {
              AuditRecord record = (AuditRecord) entry;
              if (record.sequence() <= sequence) {
                return false;
              }
              newestFirst.add(record);
            }
            return true;
          });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read audit file " + file, e);
    }
    Collections.reverse(newestFirst);
    return newestFirst;
  }

  @Override
  public String location() {
    Path absolute = file.toAbsolutePath().normalize();
    try {
      absolute = absolute.toRealPath(); // a symbolic link names the log it points to
    } catch (IOException e) {
      // not there (yet): the path as given
    }
    Path parent = absolute.getParent();
    return parent == null ? absolute.toString() : parent.toString();
  }

  /**
   * The entry in {@code length} bytes of {@code bytes} from {@code offset}, which must be valid
   * UTF-8: the one way this store reads an entry, forwards or backwards.
   *
   * @throws IllegalArgumentException saying what is wrong
   */
  static Object parse(byte[] bytes, int offset, int length) {
    return AuditJson.parseLine(bytes, offset, length);
  }

  private static void readFully(FileChannel ch, ByteBuffer buffer, long at) throws IOException {
    long position = at;
    while (buffer.hasRemaining()) {
      int n = ch.read(buffer, position);
      if (n < 0) {
        throw new IOException("file shrank while being read");
      }
      position += n;
    }
    buffer.flip();
  }

  /** What the backward read found. */
  private static final class Tail {
    AuditRecord record;
    Checkpoint checkpoint;

    void take(Path file, byte[] bytes, int offset, int length, boolean strict) {
      Object entry;
      try {
        entry = parse(bytes, offset, length);
      } catch (IllegalArgumentException e) {
        take(file, e.getMessage(), strict);
        return;
      }
      if (entry instanceof AuditRecord && record == null) {
        record = (AuditRecord) entry;
      } else if (entry instanceof Checkpoint && checkpoint == null) {
        checkpoint = (Checkpoint) entry;
      }
    }

    /** A damaged line: ignored when reading, refused when continuing the file. */
    void take(Path file, String problem, boolean strict) {
      if (strict) {
        throw new IllegalStateException(
            "cannot continue audit file "
                + file
                + ": an entry near its end is damaged ("
                + problem
                + "); verify it with AuditVerifier");
      }
    }
  }

  /**
   * Reads entries line by line from a channel, up to a fixed length, a chunk at a time: the lines
   * of a chunk (at most {@link #CHUNK_LINES} of them, or about {@link #CHUNK_BYTES}) are split here
   * and parsed on the common fork-join pool with this thread taking part, then handed out in order,
   * exactly as reading them one by one would. A read error after the first line of a chunk is
   * thrown where that line would have been read.
   */
  private static final class LineIterator extends ReadAhead<StoredEntry> {
    private final FileChannel in;
    private final ByteBuffer buffer = ByteBuffer.allocate(TAIL_CHUNK).flip();
    private long remaining;
    private long position;

    /** The chunk's line bytes, one after another. */
    private byte[] bytes = new byte[64 * 1024];

    private int used;
    private final int[] offsets = new int[CHUNK_LINES];
    private final int[] lengths = new int[CHUNK_LINES];
    private final long[] totals = new long[CHUNK_LINES];
    private final boolean[] newlines = new boolean[CHUNK_LINES];
    private final StoredEntry[] entries = new StoredEntry[CHUNK_LINES];

    LineIterator(FileChannel in, long limit) {
      super(CHUNK_LINES, PARALLEL_LINES);
      this.in = in;
      this.remaining = limit;
    }

    @Override
    protected void startChunk() {
      used = 0;
    }

    @Override
    protected boolean chunkFull() {
      return used >= CHUNK_BYTES;
    }

    @Override
    protected boolean read(int slot) {
      try {
        return readLine(slot);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read audit file", e);
      }
    }

    @Override
    protected StoredEntry take(int slot) {
      StoredEntry entry = entries[slot];
      entries[slot] = null;
      return entry;
    }

    private boolean fill() throws IOException {
      if (remaining <= 0) {
        return false;
      }
      buffer.clear();
      if (buffer.capacity() > remaining) {
        buffer.limit((int) remaining);
      }
      int n = in.read(buffer);
      buffer.flip();
      if (n <= 0) {
        remaining = 0;
        return false;
      }
      remaining -= n;
      return true;
    }

    /** Splits off the next line into the chunk's {@code slot}; false at the end. */
    private boolean readLine(int slot) throws IOException {
      int length = 0;
      long total = 0;
      boolean newline = false;
      int offset = used;
      while (!newline) {
        if (!buffer.hasRemaining() && !fill()) {
          break;
        }
        byte[] array = buffer.array();
        int from = buffer.position();
        int to = buffer.limit();
        int end = from;
        while (end < to && array[end] != '\n') {
          end++;
        }
        int n = end - from;
        total += n;
        if (length + n <= MAX_LINE_BYTES) {
          if (offset + length + n > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(offset + length + n, bytes.length * 2));
          }
          System.arraycopy(array, from, bytes, offset + length, n);
          length += n;
        }
        newline = end < to;
        buffer.position(newline ? end + 1 : end);
      }
      if (total == 0 && !newline) {
        return false;
      }
      position++;
      offsets[slot] = offset;
      lengths[slot] = total > MAX_LINE_BYTES ? 0 : length;
      totals[slot] = total;
      newlines[slot] = newline;
      entries[slot] = null;
      used = total > MAX_LINE_BYTES ? offset : offset + length;
      return true;
    }

    /** The entry of the chunk's line {@code i}; safe to run for different lines at once. */
    @Override
    protected void work(int i) {
      long at = position - count() + i + 1;
      long total = totals[i];
      boolean newline = newlines[i];
      if (total > MAX_LINE_BYTES) {
        entries[i] =
            new StoredEntry.Damaged(
                at, "line longer than " + MAX_LINE_BYTES + " bytes", !newline, total);
        return;
      }
      Object entry;
      try {
        entry = parse(bytes, offsets[i], lengths[i]);
      } catch (IllegalArgumentException e) {
        // Without its newline, a line that does not parse is an unfinished write.
        entries[i] =
            newline
                ? new StoredEntry.Damaged(at, e.getMessage(), false, total)
                : new StoredEntry.Damaged(at, "unfinished last line (no newline)", true, total);
        return;
      }
      // A whole entry stands even without its newline: only a line cut short is "torn".
      entries[i] =
          entry instanceof AuditRecord
              ? new StoredEntry.StoredRecord(at, (AuditRecord) entry)
              : new StoredEntry.StoredCheckpoint(at, (Checkpoint) entry);
    }
  }
}
