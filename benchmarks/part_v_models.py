"""Student-like Part V cells for ``PyTorch.ipynb``: the models and optimizers real notebooks
use, written for this project (none is a student's). Each value is the body of the Part V
cell (``model = ...``, ``optimizer = ...``) in the notebook's namespace (``torch``, ``nn``,
``optim``, ``F``).

``PASSING`` are built to reach the course's 70% on CIFAR-10 within 10 epochs (by design:
CIFAR-10 could not be downloaded where they were written), so the grader must pass them on
the embedded digits; ``WEAK`` must stay below the threshold; ``SLOW`` is a slow optimizer
that may or may not reach 70%; ``SIZES`` are models of real sizes for timing (small, the
size of real CIFAR-10 solutions, large).
"""
from __future__ import annotations

PLAIN_CNN = """\
model = nn.Sequential(
    nn.Conv2d(3, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),     # 32 x 16 x 16
    nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),    # 64 x 8 x 8
    nn.Conv2d(64, 128, 3, padding=1), nn.BatchNorm2d(128), nn.ReLU(), nn.MaxPool2d(2),  # 128 x 4 x 4
    nn.Flatten(),
    nn.Linear(128 * 4 * 4, 256), nn.ReLU(), nn.Dropout(0.3),
    nn.Linear(256, 10),
)
"""

VGG_CNN = """\
def block(c_in, c_out):
    return [nn.Conv2d(c_in, c_out, 3, padding=1), nn.BatchNorm2d(c_out), nn.ReLU(),
            nn.Conv2d(c_out, c_out, 3, padding=1), nn.BatchNorm2d(c_out), nn.ReLU(), nn.MaxPool2d(2)]

model = nn.Sequential(*block(3, 16), *block(16, 32), *block(32, 64), nn.Flatten(), nn.Linear(64 * 4 * 4, 10))
"""

RESNET = """\
class Residual(nn.Module):
    def __init__(self, c_in, c_out, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out)
        self.skip = nn.Sequential()
        if stride != 1 or c_in != c_out:
            self.skip = nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride=stride, bias=False), nn.BatchNorm2d(c_out))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(out)) + self.skip(x))


class SmallResNet(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU())
        self.layers = nn.Sequential(Residual(16, 16, 1), Residual(16, 32, 2), Residual(32, 64, 2))
        self.fc = nn.Linear(64, num_classes)

    def forward(self, x):
        x = self.layers(self.stem(x))
        return self.fc(F.adaptive_avg_pool2d(x, 1).flatten(1))


model = SmallResNet()
"""

LINEAR = "model = nn.Sequential(nn.Flatten(), nn.Linear(3 * 32 * 32, 10))\n"

WIDE_VGG = """\
def block(c_in, c_out):
    return [nn.Conv2d(c_in, c_out, 3, padding=1), nn.BatchNorm2d(c_out), nn.ReLU(),
            nn.Conv2d(c_out, c_out, 3, padding=1), nn.BatchNorm2d(c_out), nn.ReLU(), nn.MaxPool2d(2)]

model = nn.Sequential(*block(3, 128), *block(128, 256), *block(256, 512), nn.Flatten(),
                      nn.Linear(512 * 4 * 4, 10))
"""


def cell(model: str, optimizer: str) -> str:
    return model + f"optimizer = {optimizer}\n"


PASSING = {
    "plain CNN + BN, Adam 1e-3": cell(PLAIN_CNN, "optim.Adam(model.parameters(), lr=1e-3)"),
    "plain CNN + BN, Adam 1e-4": cell(PLAIN_CNN, "optim.Adam(model.parameters(), lr=1e-4)"),
    "VGG-style CNN + BN, SGD+momentum 1e-2": cell(VGG_CNN, "optim.SGD(model.parameters(), lr=1e-2, momentum=0.9, "
                                                           "nesterov=True, weight_decay=5e-4)"),
    "small ResNet, Adam 1e-3": cell(RESNET, "optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)"),
    "small ResNet, Adam 1e-4": cell(RESNET, "optim.Adam(model.parameters(), lr=1e-4)"),
}

# Slower than the course asks for, probably (not claimed to reach 70% on CIFAR-10 in 10 epochs):
# shown to say what the grader does with a slow optimizer.
SLOW = {
    "small ResNet, SGD+momentum 1e-3": cell(RESNET, "optim.SGD(model.parameters(), lr=1e-3, momentum=0.9)"),
}

WEAK = {
    "linear, Adam 1e-3": cell(LINEAR, "optim.Adam(model.parameters(), lr=1e-3)"),
    "linear, SGD 1e-2": cell(LINEAR, "optim.SGD(model.parameters(), lr=1e-2)"),
    "VGG-style CNN + BN, lr 0 (does not train)": cell(VGG_CNN, "optim.SGD(model.parameters(), lr=0.0)"),
}

RESNET50 = """\
import torchvision


def cifar_resnet50():
    net = torchvision.models.resnet50(num_classes=10)
    net.conv1 = nn.Conv2d(3, 64, 3, padding=1, bias=False)  # 32x32 images: no downsampling at the stem
    net.maxpool = nn.Identity()
    return net


model = cifar_resnet50()
"""

SIZES = {  # about 0.4, 21 and 45 times the reference's FLOPs per training step
    "small: plain CNN + BN": PASSING["plain CNN + BN, Adam 1e-3"],
    "real: wide VGG (128-256-512)": cell(WIDE_VGG, "optim.Adam(model.parameters(), lr=1e-3)"),
    "large: CIFAR-10 ResNet-50": cell(RESNET50, "optim.SGD(model.parameters(), lr=0.05, momentum=0.9, "
                                                "weight_decay=5e-4)"),
}
