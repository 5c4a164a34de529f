"""Real-ESRGAN in torch: the two architectures, and the converter from the shipped ncnn weights."""
