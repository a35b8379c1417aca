__version__ = "0.1.0"

from .normalize import DigitImageError, UnreadableImageError, NoDigitFoundError
from .predict import DigitRecognizer, Prediction
