package tfpeft.data.image;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import javax.imageio.ImageIO;
import tfpeft.TfpeftException;

/** Placeholder until the full decoder lands: 8-bit RGB images through ImageIO. */
public final class ImageDecoder {
  private ImageDecoder() {}

  public static RgbImage decode(byte[] bytes, String source) {
    try {
      BufferedImage img = ImageIO.read(new ByteArrayInputStream(bytes));
      if (img == null) {
        throw TfpeftException.usage(source + ": not a JPEG or PNG image");
      }
      byte[] px = new byte[img.getWidth() * img.getHeight() * 3];
      for (int y = 0; y < img.getHeight(); y++) {
        for (int x = 0; x < img.getWidth(); x++) {
          int rgb = img.getRGB(x, y);
          int o = 3 * (y * img.getWidth() + x);
          px[o] = (byte) (rgb >> 16);
          px[o + 1] = (byte) (rgb >> 8);
          px[o + 2] = (byte) rgb;
        }
      }
      return new RgbImage(img.getWidth(), img.getHeight(), px);
    } catch (IOException e) {
      throw TfpeftException.usage(source + ": cannot decode image: " + e.getMessage());
    }
  }
}
