import java.nio.file.Files;
import java.nio.file.Path;

// A JVM for the perf-map tests (jdk_perf_map_test.cpp): compiles hot(), then writes its
// pid to DIR/ready and, unless told "exit", waits for DIR/go (so that the test can run
// jcmd PID Compiler.perfmap on it) before exiting.
// Usage: PerfMapSubject DIR [exit]
public class PerfMapSubject {
  static int hot(int x) {
    return (x * 7) ^ (x >>> 2);
  }

  static volatile long sink;

  public static void main(String[] args) throws Exception {
    for (int i = 0; i < 5_000_000; i++) sink += hot(i);
    Path dir = Path.of(args[0]);
    Files.writeString(dir.resolve("ready.tmp"), Long.toString(ProcessHandle.current().pid()));
    Files.move(dir.resolve("ready.tmp"), dir.resolve("ready"));
    if (args.length > 1 && args[1].equals("exit")) return;
    for (int waited = 0; !Files.exists(dir.resolve("go")) && waited < 60_000; waited += 10) Thread.sleep(10);
  }
}
