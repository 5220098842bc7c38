// Loads libunloadleak.so (its path in -Dunloadleak.lib) when the class is initialised:
// the library belongs to this class's loader, and the JVM unloads it when that loader
// is collected.
public class UnloadPlugin {
  static {
    System.load(System.getProperty("unloadleak.lib"));
  }
}
