from writer.core.fit import Machine, estimate

GB = 1024**3


def test_small_model_fits_a_big_gpu_entirely():
    fit = estimate(2 * GB, 28, Machine(16 * GB, "GPU", 24 * GB))
    assert fit.fits_ram and fit.gpu_layers == 28 and "entirely on the GPU" in str(fit.describe())


def test_large_model_gets_part_of_its_layers_on_a_small_gpu():
    fit = estimate(8 * GB, 32, Machine(32 * GB, "GPU", 4 * GB))
    assert 0 < fit.gpu_layers < 32 and f"{fit.gpu_layers} of 32 layers" in str(fit.describe())


def test_no_gpu_and_too_little_memory():
    assert "no GPU detected" in str(estimate(1 * GB, 24, Machine(16 * GB)).describe())
    assert "Too large" in str(estimate(20 * GB, 40, Machine(8 * GB)).describe())
