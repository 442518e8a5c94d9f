import { Logger } from '@nestjs/common';

// Specs show warnings and errors only; the apps they boot set their own level.
Logger.overrideLogger(['warn', 'error', 'fatal']);
