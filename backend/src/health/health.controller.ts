import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { HealthResponse } from '@chatstream/protocol';
import { FanoutService } from '../fanout/fanout.service';
import { Public } from '../auth/decorators';
import { StorageHealth } from '../storage/storage-health';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly fanout: FanoutService,
    private readonly storage: StorageHealth,
  ) {}

  @Public()
  @Get()
  @ApiOkResponse({ description: '{"status":"ok"} while the server can serve' })
  @ApiServiceUnavailableResponse({ description: '{"status":"error","reason"}' })
  async check(): Promise<HealthResponse> {
    const reason = this.fanout.closing ? 'shutting down' : await this.storage.check();
    if (reason) throw new ServiceUnavailableException({ status: 'error', reason });
    return { status: 'ok' };
  }
}
