// UnloadedLibraryLeak PLUGIN_JAR: loads UnloadPlugin from PLUGIN_JAR through a class
// loader of its own (which loads libunloadleak.so: it leaks in its JNI_OnLoad), drops
// the loader, and collects until the JVM has unloaded the library, as a redeployed
// web application's would be. Prints "unloaded" then, and exits 3 if it never is.
import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;

public class UnloadedLibraryLeak {
  public static void main(String[] args) throws Exception {
    String lib = new File(System.getProperty("unloadleak.lib")).getCanonicalPath();
    load(new File(args[0]).toURI().toURL());
    if (!mapped(lib)) throw new IllegalStateException(lib + " is not mapped after loading it");
    for (int i = 0; i < 200; ++i) {
      System.gc();
      Thread.sleep(50);
      if (!mapped(lib)) {
        System.out.println("unloaded");
        return;
      }
    }
    System.out.println("still loaded: " + lib);
    System.exit(3);
  }

  // In a method of its own, so that no reference to the loader is left on main's frame.
  private static void load(URL jar) throws Exception {
    URLClassLoader loader = new URLClassLoader(new URL[] {jar}, null);
    Class.forName("UnloadPlugin", true, loader);
    loader.close();
  }

  private static boolean mapped(String lib) throws Exception {
    return Files.readString(Path.of("/proc/self/maps")).contains(lib);
  }
}
