"""Training of templateocr's own line recognizer (Korean and Latin, printed and handwriting-style).

Text lines are generated on the fly (:mod:`.texts`), rendered with fonts from Debian's and
Fontsource's (npm) packages (:mod:`.fonts`, split once into training and held-out fonts) and
degraded like field crops (:mod:`.render`); a compact CRNN (:mod:`.model`) is trained with CTC
(:mod:`.train`), exported to ONNX (:mod:`.export`) and evaluated on held-out fonts
(:mod:`.evaluate`). Only this package needs PyTorch (the ``train`` extra); the server runs the
exported model with onnxruntime (:mod:`templateocr.engines.crnn`).
"""
