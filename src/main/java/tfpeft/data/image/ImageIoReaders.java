package tfpeft.data.image;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.spi.ImageReaderSpi;

/**
 * Creates ImageIO readers, preferring the JDK's own plugins. The decoder relies on their exact
 * behaviour (the JDK JPEG reader's {@code readRaster} returns the decoded components with no
 * colour conversion), so a third-party plugin on the class path must not be picked up instead.
 */
final class ImageIoReaders {
  private static final String JDK_PLUGINS = "com.sun.imageio.plugins.";
  private static final Map<String, ImageReaderSpi> PROVIDERS = new ConcurrentHashMap<>();

  private ImageIoReaders() {}

  /** A fresh reader for {@code format} ("jpeg", "png", "bmp", "gif"); callers dispose it. */
  static ImageReader create(String format) {
    ImageReaderSpi spi = PROVIDERS.computeIfAbsent(format, ImageIoReaders::findProvider);
    try {
      return spi.createReaderInstance();
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot create the ImageIO " + format + " reader", e);
    }
  }

  private static ImageReaderSpi findProvider(String format) {
    ImageReaderSpi chosen = null;
    for (Iterator<ImageReader> it = ImageIO.getImageReadersByFormatName(format); it.hasNext(); ) {
      ImageReader reader = it.next();
      ImageReaderSpi spi = reader.getOriginatingProvider();
      reader.dispose();
      if (chosen == null || spi.getClass().getName().startsWith(JDK_PLUGINS)) {
        chosen = spi;
      }
    }
    if (chosen == null) {
      throw new IllegalStateException("this Java runtime has no ImageIO reader for " + format);
    }
    return chosen;
  }
}
