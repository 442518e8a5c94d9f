import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { HealthResponse } from '@chatstream/protocol';
import { FanoutService } from '../chat/fanout.service';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(private readonly fanout: FanoutService) {}

  @Get()
  @ApiOkResponse({ description: '{"status":"ok"} while the server can serve' })
  @ApiServiceUnavailableResponse({ description: '{"status":"error","reason"}' })
  check(): HealthResponse {
    if (this.fanout.closing) throw new ServiceUnavailableException({ status: 'error', reason: 'shutting down' });
    return { status: 'ok' };
  }
}
