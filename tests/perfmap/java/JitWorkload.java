import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;

// The workload of the agent test (jvmti_agent_test.cpp). Each phase leaves a known
// trace in the JIT log; lines marked "@line NAME" are found by the test in this file.
//   1. compute() is hot and inlines helper(): an inlining record names helper.
//   2. totalArea() is compiled while it sees only Squares, then meets Circles: a
//      class-check trap deoptimizes it and it is compiled again.
//   3. Unloadable classes, each loaded by its own class loader, get hot and are
//      unloaded by a full GC: their compiled code is unloaded with them, and (with a
//      small code cache) new code reuses their addresses.
// Usage: JitWorkload CLASSES_DIR [UNLOAD_ROUNDS]
public class JitWorkload {
  interface Shape { int area(); }

  static final class Square implements Shape {
    final int side;
    Square(int side) { this.side = side; }
    public int area() { return side * side; }
  }

  static final class Circle implements Shape {
    final int r;
    Circle(int r) { this.r = r; }
    public int area() { return 3 * r * r; }
  }

  static int helper(int x) {
    int y = x ^ (x >>> 3);  // @line helper-body
    return y * 31 + 7;
  }

  static long compute(int n) {
    long sum = 0;
    for (int i = 0; i < n; i++) {
      sum += helper(i);  // @line helper-call
    }
    return sum;
  }

  static int totalArea(Shape[] shapes) {
    int total = 0;
    for (Shape s : shapes) total += s.area();
    return total;
  }

  static volatile long sink;

  public static void main(String[] args) throws Exception {
    String classes = args[0];
    int unloadRounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    // 1.
    for (int i = 0; i < 20_000; i++) sink += compute(1_000);
    // 2.
    Shape[] squares = new Shape[100];
    for (int i = 0; i < squares.length; i++) squares[i] = new Square(i);
    for (int i = 0; i < 100_000; i++) sink += totalArea(squares);
    Shape[] mixed = new Shape[100];
    for (int i = 0; i < mixed.length; i++) mixed[i] = i % 2 == 0 ? new Square(i) : new Circle(i);
    for (int i = 0; i < 100_000; i++) sink += totalArea(mixed);
    // 3.
    URL[] path = {new File(classes, "unloadable/").toURI().toURL()};
    for (int round = 0; round < unloadRounds; round++) {
      for (String name : new String[] {"Unloadable0", "Unloadable1"}) {
        URLClassLoader loader = new URLClassLoader(path, null);
        Runnable r = (Runnable) loader.loadClass(name).getDeclaredConstructor().newInstance();
        for (int i = 0; i < 50_000; i++) r.run();
        loader.close();
      }
      System.gc();
      Thread.sleep(20);
    }
    System.gc();
    Thread.sleep(300);  // lets the service thread post what the last GC unloaded
    System.out.println("done " + sink);
  }
}
